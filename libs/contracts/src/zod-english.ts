// zod/mini (~20 KB in a bundle against classic zod's ~90 KB) ships no messages until told which
// locale: the English one classic zod configures by itself, so a rejected event or request names
// each bad field the way it always did ("Invalid email address"). Listed under `sideEffects` in
// package.json, so the bare imports of this module survive tree shaking.
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

z.config(en());
