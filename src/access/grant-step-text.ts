/**
 * The grant chain of an explanation in words, one line per link: from the user, through each
 * group (nested groups included), to the grant, and the project a resource inherits from. The
 * API types a link loosely (`{ step, … }`), so each is checked against the server's own step
 * types here; a link of a kind this app does not know yet is named, not dropped.
 */
import * as z from 'zod/mini';
import type { GrantStep } from '../../server/authz/index.ts';

const named = z.object({ id: z.string(), name: z.string() });
const projectRole = z.enum(['owner', 'editor', 'viewer']);

const grantStepSchema: z.ZodMiniType<GrantStep> = z.discriminatedUnion('step', [
  z.object({ step: z.literal('system-role'), role: z.enum(['admin', 'user', 'viewer']) }),
  z.object({ step: z.literal('user'), id: z.string(), name: z.string() }),
  z.object({ step: z.literal('member-of'), group: named }),
  z.object({ step: z.literal('group-admin'), group: named }),
  z.object({ step: z.literal('project-grant'), project: named, role: projectRole }),
  z.object({
    step: z.literal('connection-grant'),
    connection: named,
    permission: z.enum(['use', 'edit']),
  }),
  z.object({ step: z.literal('inherits-from-project'), project: named }),
  z.object({ step: z.literal('signed-in') }),
]);

const roleNames = {
  admin: 'Admin',
  user: 'User',
  viewer: 'Viewer',
  owner: 'Owner',
  editor: 'Editor',
} as const;

function describe(step: GrantStep): string {
  switch (step.step) {
    case 'user':
      return `${step.name} (the user asked about)`;
    case 'system-role':
      return `has the system role ${roleNames[step.role]}`;
    case 'signed-in':
      return 'is signed in';
    case 'member-of':
      return `is a member of the group ${step.group.name}`;
    case 'group-admin':
      return `is an admin of the group ${step.group.name}`;
    case 'project-grant':
      return `holds the role ${roleNames[step.role]} on the project ${step.project.name}`;
    case 'connection-grant':
      return `holds a “${step.permission}” grant on the connection ${step.connection.name}`;
    case 'inherits-from-project':
      return `which the resource inherits from its project ${step.project.name}`;
  }
}

/**
 * @example
 * grantStepText({ step: 'project-grant', project: { id, name: 'Kinase' }, role: 'owner' });
 * // "holds the role Owner on the project Kinase"
 */
export function grantStepText(step: unknown): string {
  const parsed = grantStepSchema.safeParse(step);
  if (parsed.success) return describe(parsed.data);
  const kind = step instanceof Object && 'step' in step ? String(step.step) : 'unknown';
  return `a step of the kind “${kind}”`;
}
