// STS's peer module: what other services may use of STS (Lambda issues its functions' role sessions here).
// It imports only STS's own state.
export { issueSession, type SessionRecord } from "./credentials.js";
