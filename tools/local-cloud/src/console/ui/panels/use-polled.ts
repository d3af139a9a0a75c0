import { useEffect, useState } from 'preact/hooks';
import { getJson } from '../api';

/** A `/_local/` answer, fetched now and every `everyMs` while the panel is shown. */
export function usePolled<T>(path: string, everyMs: number): { data?: T; error?: string } {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    const load = () => getJson<T>(path).then(setData, (failure: Error) => setError(failure.message));
    void load();
    const timer = setInterval(load, everyMs);
    return () => clearInterval(timer);
  }, [path, everyMs]);
  return { data, error };
}
