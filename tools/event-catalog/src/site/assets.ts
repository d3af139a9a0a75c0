// The site's only stylesheet and script. Plain CSS and vanilla JS: the pages are readable with
// neither (the full lists are in the HTML), the script only filters the index as you type.

/** Colours keep a contrast of at least 7:1 for text and 4.5:1 for links and borders that carry meaning. */
export const STYLESHEET = `:root{--fg:#1b1b1b;--muted:#4a4a4a;--bg:#fff;--panel:#f4f5f7;--line:#c4c8cf;--link:#0b57a4;--warn:#8a2500;--focus:#b34700}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
a{color:var(--link)}a:hover{text-decoration-thickness:2px}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.skip{position:absolute;left:-999px;top:0;background:var(--bg);padding:.5rem}.skip:focus{left:.5rem}
header{background:#14213d;color:#fff;padding:.75rem 1.25rem;display:flex;gap:1.5rem;align-items:baseline;flex-wrap:wrap}
header a{color:#fff}header .brand{font-weight:700;text-decoration:none;font-size:1.1rem}
header nav ul{list-style:none;margin:0;padding:0;display:flex;gap:1rem}
main{max-width:72rem;margin:0 auto;padding:1rem 1.25rem 3rem}
footer{border-top:1px solid var(--line);color:var(--muted);padding:1rem 1.25rem;font-size:.875rem}
h1{margin:.5rem 0 .25rem;font-size:1.8rem}h2{margin-top:2rem;border-bottom:1px solid var(--line);padding-bottom:.25rem}
.meta{color:var(--muted);margin:0 0 1rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}th,td{border:1px solid var(--line);padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:var(--panel)}
pre{background:var(--panel);border:1px solid var(--line);padding:.75rem;overflow:auto;font-size:.85rem;max-height:32rem}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.tag{display:inline-block;border:1px solid var(--line);border-radius:.25rem;padding:0 .35rem;font-size:.8rem;background:var(--panel)}
.pii{color:var(--warn);font-weight:600}.breaking{color:var(--warn);font-weight:600}
label{font-weight:600;display:block;margin-bottom:.25rem}
input[type=search]{font:inherit;width:100%;max-width:36rem;padding:.5rem;border:2px solid #5a5f69;border-radius:.25rem}
#results{list-style:none;padding:0}#results li{padding:.5rem 0;border-bottom:1px solid var(--line)}
#results .why{display:block;color:var(--muted);font-size:.875rem}
.graph{overflow:auto;border:1px solid var(--line);background:#fff}
.graph text{font:14px system-ui,sans-serif;fill:#1b1b1b}.graph .node rect{fill:#e8eef8;stroke:#14213d;stroke-width:1.5}
.graph a:focus rect,.graph a:hover rect{fill:#ffe7cc;stroke:var(--focus);stroke-width:3}
.graph .edge{fill:none;stroke:#3d4451;stroke-width:1.5}.graph .count{font-size:12px;fill:#4a4a4a}
.cols{display:grid;grid-template-columns:repeat(auto-fit,minmax(18rem,1fr));gap:1.5rem}
`;

/**
 * Filters the event list by name, field or service. The index lives in the page as JSON (a
 * `<script type="application/json">`), because browsers refuse `fetch` for file:// pages.
 */
export const SEARCH_SCRIPT = `(function(){
var input=document.getElementById('search');var list=document.getElementById('results');var status=document.getElementById('search-status');
if(!input||!list)return;
var data=JSON.parse(document.getElementById('catalog-index').textContent);
function norm(s){return String(s).toLowerCase();}
function render(q){
  var terms=norm(q).split(/\\s+/).filter(Boolean);list.textContent='';var shown=0;
  data.forEach(function(e){
    var why=[];
    var ok=terms.every(function(t){
      if(norm(e.name).indexOf(t)>=0||norm(e.source).indexOf(t)>=0)return true;
      var f=e.fields.filter(function(x){return norm(x).indexOf(t)>=0;});if(f.length){why.push('field '+f.slice(0,3).join(', '));return true;}
      var s=e.services.filter(function(x){return norm(x).indexOf(t)>=0;});if(s.length){why.push('service '+s.join(', '));return true;}
      return false;});
    if(!ok)return;shown++;
    var li=document.createElement('li');var a=document.createElement('a');a.href=e.url;a.textContent=e.name;li.appendChild(a);
    var src=document.createElement('span');src.className='tag';src.textContent=e.source;li.appendChild(document.createTextNode(' '));li.appendChild(src);
    var p=document.createElement('span');p.className='why';p.textContent=(why.length?'Matched '+why.join('; ')+'. ':'')+e.summary;li.appendChild(p);
    list.appendChild(li);});
  status.textContent=shown+' of '+data.length+' events'+(terms.length?' match \\u201c'+q.trim()+'\\u201d':'');
}
input.addEventListener('input',function(){render(input.value);});
var form=input.form;if(form)form.addEventListener('submit',function(ev){ev.preventDefault();render(input.value);});
render(input.value);
})();
`;
