/**
 * What a user agent says about the browser and system behind a sign-in. One reading, used both to
 * show it ("Chrome 91 on Windows") and to remember it in the first-seen history ("Chrome on
 * Windows": the family, without the version, which changes every few weeks).
 */

// Tried in order: the first match names the browser, so Edge and Opera come before the Chrome they also claim to be.
const BROWSERS: Array<[RegExp, string]> = [
    [/Edg(?:e|A|iOS)?\/(\d+)/, "Edge"],
    [/OPR\/(\d+)/, "Opera"],
    [/Firefox\/(\d+)/, "Firefox"],
    [/FxiOS\/(\d+)/, "Firefox"],
    [/CriOS\/(\d+)/, "Chrome"],
    [/Chrome\/(\d+)/, "Chrome"],
    [/Version\/(\d+)[.\d]* (?:Mobile\/\S+ )?Safari\//, "Safari"],
];

const SYSTEMS: Array<[RegExp, string]> = [
    [/iPhone|iPad|iOS/, "iOS"],
    [/Android/, "Android"],
    [/CrOS/, "ChromeOS"],
    [/Windows/, "Windows"],
    [/Mac OS X|Macintosh/, "macOS"],
    [/Linux/, "Linux"],
];

const MOBILE_APP_AGENT = /AWS ?Console ?Mobile|aws-console-mobile|AWSConsoleMobile/i;

/** A browser (name and major version) or the AWS Console Mobile App, and the system it runs on. */
export interface UserAgentReading {
    client?: { name: string; version?: string };
    mobileApp: boolean;
    os?: string;
}

export function readUserAgent(userAgent: string): UserAgentReading {
    const os = SYSTEMS.find(([re]) => re.test(userAgent))?.[1];
    if (MOBILE_APP_AGENT.test(userAgent)) {
        return { mobileApp: true, ...(os ? { os } : {}) };
    }
    for (const [re, name] of BROWSERS) {
        const match = re.exec(userAgent);
        if (match) {
            return { mobileApp: false, client: { name, ...(match[1] ? { version: match[1] } : {}) }, ...(os ? { os } : {}) };
        }
    }
    return { mobileApp: false, ...(os ? { os } : {}) };
}

// The app's name is a product name, the same in every language.
export const MOBILE_APP = "AWS Console Mobile App";

/** The browser (without its version) or the app, and the system: what first-seen compares. Undefined for a script or nothing. */
export function userAgentClient(userAgent: string): { client: string; os?: string } | undefined {
    const reading = readUserAgent(userAgent);
    const client = reading.mobileApp ? MOBILE_APP : reading.client?.name;
    if (!client) {
        return undefined;
    }
    return reading.os ? { client, os: reading.os } : { client };
}

/**
 * The family first-seen remembers, as its history's key: "Chrome on Windows", "AWS Console Mobile
 * App on iOS". Undefined when the agent names neither a browser nor the app (a script, an empty
 * string): such a sign-in is judged on network and region only.
 */
export function userAgentFamily(userAgent: string): string | undefined {
    const agent = userAgentClient(userAgent);
    return agent && (agent.os ? `${agent.client} on ${agent.os}` : agent.client);
}
