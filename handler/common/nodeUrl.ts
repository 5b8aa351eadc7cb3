/**
 * What node-fetch 2 gets when it requires whatwg-url: Node's own WHATWG URL, which it prefers
 * anyway (lib/index.js: `const URL = Url.URL || whatwgUrl.URL;`). The bundle maps the package to
 * this module (program/functionPackage.ts), so whatwg-url, tr46 and webidl-conversions never ship.
 */
export { URL, URLSearchParams } from "url";
