// fetch wrapper: session cookie + CSRF header; problem+json errors become ApiError.
export class ApiError extends Error {
  constructor(problem) { super(problem.detail || problem.title || "error"); this.problem = problem;
    this.status = problem.status; this.code = problem.code; }
}
export async function api(path, { method = "GET", body, query, signal, raw = false } = {}) {
  let url = path;
  if (query) {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (v === undefined || v === null || v === "") continue;
      if (Array.isArray(v)) v.forEach(x => qs.append(k, x)); else qs.append(k, v);
    }
    const s = qs.toString(); if (s) url += (url.includes("?") ? "&" : "?") + s;
  }
  const headers = { "Accept": "application/json" };
  if (method !== "GET") headers["X-PS-CSRF"] = "1";
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(url, { method, headers, credentials: "same-origin", signal,
    body: body === undefined ? undefined : JSON.stringify(body) });
  if (raw && res.ok) return res;
  const type = res.headers.get("content-type") || "";
  const data = type.includes("json") ? await res.json() : await res.text();
  if (!res.ok) throw new ApiError(typeof data === "object" ? data : { status: res.status, detail: String(data) });
  return data;
}
