// The REST calls the pages make (same origin only); errors carry the server's message.

export class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

async function request(method, path, body) {
  const init = { method, headers: { accept: "application/json" } };
  if (body !== undefined) {
    init.headers["content-type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = text; }
  if (!response.ok) {
    const detail = typeof data?.detail === "string" ? data.detail : `${response.status} ${response.statusText}`;
    throw new ApiError(response.status, detail);
  }
  return data;
}

const id = encodeURIComponent;
export const api = {
  sessions: () => request("GET", "/api/sessions"),
  session: (sid) => request("GET", `/api/sessions/${id(sid)}`),
  addSession: (source, extra = {}) => request("POST", "/api/sessions", { source, ...extra }),
  marker: (sid, text) => request("POST", `/api/sessions/${id(sid)}/markers`, { text }),
  rename: (sid, label) => request("PATCH", `/api/sessions/${id(sid)}`, { label }),
  endSession: (sid) => request("DELETE", `/api/sessions/${id(sid)}`),
  calibrate: (sid, seconds) => request("POST", `/api/sessions/${id(sid)}/calibration`, { duration_s: seconds }),
  episodes: (sid) => request("GET", `/api/sessions/${id(sid)}/episodes`),
  sharedPacer: () => request("GET", "/api/pacer"),
  setSharedPacer: (command) => request("POST", "/api/pacer", command),
  straps: (timeout) => request("GET", `/api/straps?timeout=${id(timeout)}`),
  summary: (period, end) => request("GET", `/api/summary?period=${id(period)}&end=${id(end)}`),
  pacer: (sid, command) => request("POST", `/api/sessions/${id(sid)}/pacer`, command),
  stress: (sid, event) => request("POST", `/api/sessions/${id(sid)}/stress`, event),
  note: (sid, index, text) => request("POST", `/api/sessions/${id(sid)}/episodes/${index}/notes`, { text }),
  profile: (name) => request("GET", `/api/profiles/${id(name)}`),
  review: (date) => request("GET", `/api/review?date=${id(date)}`),
  openapi: () => request("GET", "/openapi.json"),
  exportUrl: (sid, format) => `/api/sessions/${id(sid)}/export?format=${id(format)}`,
};

/** The export formats the API offers: the OpenAPI document's ExportName enum. */
export async function exportFormats() {
  const doc = await api.openapi();
  return doc?.components?.schemas?.ExportName?.enum ?? ["csv", "json", "replay"];
}

/** The window a session is judged against: its profile's band, else the default (-1 .. +1). */
export async function sessionBand(session, fallback) {
  if (!session.profile_id) return fallback;
  try {
    const band = (await api.profile(session.profile_id)).data?.band;
    return band && band.lower < band.upper ? { lower: band.lower, upper: band.upper } : fallback;
  } catch {
    return fallback;
  }
}
