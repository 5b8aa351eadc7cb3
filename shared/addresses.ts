/**
 * Email addresses and Slack user ids, as the configuration accepts them and the function tells
 * them apart: one pattern each, for both.
 */

/** Something, an @, and a domain with a dot: what the operators' email and "Was this you?" take as an address. */
export const EMAIL_ADDRESS = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** A Slack user id: U…, or W… on Enterprise Grid (api.slack.com/types/user). */
export const SLACK_USER_ID = /^[UW][A-Z0-9]{8,}$/;
