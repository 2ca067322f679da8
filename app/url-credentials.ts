import { redactUserinfo } from '../src';

/** A URL without its login, and the login, which belongs in Node-RED's encrypted credentials. */
export interface UrlWithoutLogin {
  url: string;
  user?: string;
  password?: string;
}

/** Percent-decoded as every URL client decodes a login; a lone `%` is kept as typed. */
function decoded(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/**
 * Takes `user:password@` out of a URL given by environment: flows.json is plain text, so the
 * generated flow holds the URL without it and the login goes to the node's credentials.
 * `what` names the variable in errors, which never show the login.
 */
export function moveLoginOutOfUrl(text: string, what: string, atOnlyInLogin = false): UrlWithoutLogin {
  const hasAt = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\r\n]*@/.test(text);
  if (!hasAt) return { url: text };
  const invalid = (): TypeError =>
    new TypeError(
      `${what} is not a valid URL: ${redactUserinfo(text)}. In a login inside a URL, write / ? # and spaces ` +
        `percent-encoded (%2F %3F %23 %20), ` +
        'or give the login apart (MQTT_USERNAME and MQTT_PASSWORD for the broker)',
    );
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw invalid();
  }
  if (parsed.username === '' && parsed.password === '') {
    // "mqtt://user:12/34@host" parses as host "user", port 12: the password would stay in the URL.
    if (atOnlyInLogin) throw invalid();
    return { url: text };
  }
  const login = { user: decoded(parsed.username), password: decoded(parsed.password) };
  parsed.username = '';
  parsed.password = '';
  return { url: parsed.toString(), ...login };
}

/**
 * The broker URL and login from MQTT_URL, MQTT_USERNAME and MQTT_PASSWORD. A login in the URL and
 * one given apart are refused together: which one wins would be a guess.
 */
export function brokerLogin(env: NodeJS.ProcessEnv): UrlWithoutLogin {
  const given = env.MQTT_URL || undefined;
  const apart = { user: env.MQTT_USERNAME || undefined, password: env.MQTT_PASSWORD || undefined };
  if (given === undefined) return { url: '', ...apart };
  const moved = moveLoginOutOfUrl(given, 'MQTT_URL', true);
  if (moved.user === undefined && moved.password === undefined) return { url: moved.url, ...apart };
  if (apart.user !== undefined || apart.password !== undefined) {
    throw new TypeError(
      'MQTT_URL carries a login (user:password@) and MQTT_USERNAME or MQTT_PASSWORD is set too: give the login one ' +
        'way only',
    );
  }
  return { url: moved.url, user: moved.user || undefined, password: moved.password || undefined };
}
