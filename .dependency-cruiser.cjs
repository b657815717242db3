// The layer diagram of docs/architecture.md, enforced on every import under src/ (type-only
// imports included: `tsPreCompilationDeps`). Layers are listed top to bottom; a module may import
// its own layer's folder and any layer below it, never one above, and never a sibling folder of
// the same layer. No circular imports anywhere. There are no exceptions: a rule that needs one
// is a sign the code is in the wrong layer. `npm run lint` runs this (`npm run lint:layers`).

/** One layer: named groups of paths (regular expressions); groups of one layer may not import each other. */
const LAYERS = [
  {
    // The package's entry points (package.json `exports`) re-export the public API from any
    // layer; nothing inside the package imports them.
    layer: 'entry points',
    groups: {
      entries:
        '^src/(index|testing/contracts|(client|server|delegation|proof|workspace|mcp|testing|handoff|store/postgres)/index)[.]ts$',
    },
  },
  { layer: 'cli', groups: { cli: '^src/cli/' } },
  {
    // loadConfig and its table of every BATON_* variable and flag: read by the CLI only, and
    // made of what the layers below parse and default (auth modes, lease TTLs, log levels).
    layer: 'configuration',
    groups: { config: '^src/config/(?!process-environment[.]ts$)' },
  },
  {
    // The hand-off SDK drives a plane over HTTP (the client) and pulls results back with the
    // workspace functions; it reads no configuration.
    layer: 'sdk',
    groups: { handoff: '^src/handoff/' },
  },
  {
    // The HTTP plane mounts the MCP delegation server at /mcp: one edge, two folders.
    layer: 'edges',
    groups: { server: '^src/(server/|mcp/(?!client/))', client: '^src/client/', testing: '^src/testing/' },
  },
  { layer: 'wire', groups: { wire: '^src/wire/' } },
  { layer: 'composition root', groups: { root: '^src/baton-runtime[.]ts$' } },
  {
    layer: 'kinds',
    groups: {
      governed: '^src/governed/',
      delegation: '^src/delegation/',
      message: '^src/message/',
      channels: '^src/channels/',
      schedules: '^src/schedules/',
    },
  },
  { layer: 'runtime', groups: { runtime: '^src/runtime/' } },
  { layer: 'loop', groups: { loop: '^src/loop/' } },
  { layer: 'workspace and proof', groups: { workspace: '^src/workspace/', proof: '^src/proof/' } },
  {
    layer: 'adapters',
    groups: { model: '^src/model/', store: '^src/store/', 'mcp client': '^src/mcp/client/' },
  },
  { layer: 'telemetry', groups: { telemetry: '^src/telemetry/' } },
  {
    // The one default of `env` to the process environment, for the public entry points of any
    // layer above (createRuntime, createApp, the workspace functions); it imports only core.
    layer: 'process environment',
    groups: { environment: '^src/config/process-environment[.]ts$' },
  },
  { layer: 'core', groups: { core: '^src/core/' } },
];

const allPaths = LAYERS.flatMap(({ groups }) => Object.values(groups));
// An entry point also lies in its folder's layer; the rules below speak of the modules that are not entries.
const ENTRIES = LAYERS[0].groups.entries;

const upward = LAYERS.flatMap(({ layer, groups }, index) => {
  const above = LAYERS.slice(0, index).flatMap((higher) => Object.values(higher.groups));
  if (above.length === 0) return [];
  return [
    {
      name: `no-upward-from-${layer.replaceAll(' ', '-')}`,
      comment: `${layer} imports only its own layer and the layers below it (docs/architecture.md)`,
      severity: 'error',
      from: { path: Object.values(groups), pathNot: ENTRIES },
      to: { path: above },
    },
  ];
});

const sideways = LAYERS.flatMap(({ layer, groups }) =>
  Object.entries(groups).flatMap(([name, path]) => {
    const siblings = Object.entries(groups)
      .filter(([other]) => other !== name)
      .map(([, otherPath]) => otherPath);
    if (siblings.length === 0) return [];
    return [
      {
        name: `no-sideways-from-${name.replaceAll(' ', '-')}`,
        comment: `${name} does not import the other parts of the ${layer} layer`,
        severity: 'error',
        // A path matched by an earlier, more specific group (src/mcp/client/) is not this group.
        from: { path, pathNot: [...siblings, ENTRIES] },
        to: { path: siblings },
      },
    ];
  }),
);

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...upward,
    ...sideways,
    {
      // Signed statements must be checkable without the machinery that produced them.
      name: 'proof-above-store-and-core-only',
      comment: 'proof/ imports nothing but store/ and core/ (and node and its libraries)',
      severity: 'error',
      from: { path: '^src/proof/', pathNot: ENTRIES },
      to: { path: '^src/', pathNot: '^src/(proof|store|core)/' },
    },
    {
      name: 'no-circular',
      comment: 'modules import each other in no circle, however long',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'in-a-layer',
      comment: 'every module under src/ belongs to a layer of the diagram',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^src/', pathNot: allPaths },
    },
    {
      name: 'layered-importer',
      comment: 'every module under src/ that imports belongs to a layer of the diagram',
      severity: 'error',
      from: { path: '^src/', pathNot: allPaths },
      to: { path: '^src/' },
    },
  ],
  options: {
    // Unit tests sit next to the code they test and may reach any layer; the product may not.
    exclude: { path: '[.]test[.]ts$' },
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js'],
    },
  },
};
