/**
 * The keys under which the app caches server answers, in one place so that a change can refresh
 * everything it affects: a key's prefix covers everything below it (invalidating
 * `queryKeys.projects.all` refreshes every project, its members and its lists).
 */
export const queryKeys = {
  currentUser: ['current-user'] as const,
  projects: {
    all: ['projects'] as const,
    one: (id: string) => ['projects', id] as const,
    members: (id: string) => ['projects', id, 'members'] as const,
    dashboards: (id: string) => ['projects', id, 'dashboards'] as const,
    datasets: (id: string) => ['projects', id, 'datasets'] as const,
  },
  dashboards: {
    all: ['dashboards'] as const,
    one: (id: string) => ['dashboards', id] as const,
  },
  datasets: { one: (id: string) => ['datasets', id] as const },
  groups: {
    all: ['groups'] as const,
    one: (id: string) => ['groups', id] as const,
  },
  connections: {
    all: ['connections'] as const,
    one: (id: string) => ['connections', id] as const,
  },
  users: { all: ['users'] as const },
  plugins: {
    all: ['plugins'] as const,
    policies: ['plugins', 'policies'] as const,
    instance: (instanceId: string) => ['plugin-instances', instanceId] as const,
  },
  localDatasets: (ownerId: string) => ['local-datasets', ownerId] as const,
  accessRules: ['access-rules'] as const,
  accessExplanation: (question: object) => ['access-explanation', question] as const,
};
