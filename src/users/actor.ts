import type { Role } from '../review/transitions.js';

/** Who is acting: a signed-in user, their role, and the accounts they work for (an editor sees and submits only to these). */
export interface Actor {
  id: number;
  name: string;
  role: Role;
  accountIds: number[];
}
