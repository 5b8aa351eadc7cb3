/** The repository's root, found as the program finds it (program/projectRoot.ts). */
export { PROJECT_ROOT as REPO_ROOT } from "../program/projectRoot";
