// htm bound to preact's h: JSX-like templates without a compiler.
import { h } from '/web/vendor/preact.js';
import htm from '/web/vendor/htm.js';

export const html = htm.bind(h);
