import type { Language } from "../../../shared/contract";
import type { Catalog } from "./catalog";
import { EN } from "./en";
import { JA } from "./ja";

export type { Catalog, Delay, DeliveryPath, NewThings, NotAskedReason, Remedy, SeenWindow, ShownSignIn } from "./catalog";
export { splitDelay } from "./catalog";

/** Every language's catalog. */
export const CATALOGS: Record<Language, Catalog> = { en: EN, ja: JA };

/** The catalog of a language; English for a value that is none (a hand-edited function's code). */
export function catalogFor(language: Language | undefined): Catalog {
    return language !== undefined && Object.hasOwn(CATALOGS, language) ? CATALOGS[language] : EN;
}
