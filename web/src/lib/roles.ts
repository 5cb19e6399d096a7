import type { Role } from "../api/types";

const RANK: Record<Role, number> = { viewer: 0, responder: 1, admin: 2 };

/** Whether `role` may do what needs `needed` (the REST API's route table decides the same). */
export function allows(role: Role | undefined, needed: Role): boolean {
  return role !== undefined && RANK[role] >= RANK[needed];
}
