/** Severity of an alert rule, from least to most urgent: a module of its own, which every other part of shared/ may import. */
export type Severity = "info" | "high" | "critical";
