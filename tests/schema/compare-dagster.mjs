// compare-dagster.mjs — checks that dagd's served schema is a faithful
// subset of Dagster's:
//
//   node tests/schema/compare-dagster.mjs DAGSTER_SCHEMA_FILE [DAGD_BINARY]
//
// DAGSTER_SCHEMA_FILE is Dagster's schema.graphql (js_modules/dagster-ui/
// packages/ui-core/src/graphql/schema.graphql in dagster-io/dagster; never
// committed here). DAGD_BINARY defaults to $DAGD, then build/dagd.
//
// dagd's schema comes from introspection (`dagd graphql -t <introspection
// query>`). Dagster's is cut down to what dagd serves: the types dagd has
// and, within them, the fields, arguments, input fields, enum values, union
// members and interfaces dagd has (a type dagd's members refer to but dagd
// lacks is kept as an empty shell, so a changed type shows as a change).
// graphql-js then lists the breaking and dangerous changes from that
// restricted Dagster schema (old) to dagd's (new): each is a place where a
// Dagster client could get something other than what Dagster gives. Names
// dagd has that Dagster lacks are listed too (findBreakingChanges does not
// see additions). What Dagster accepts as input and dagd does not (input
// fields, arguments) is printed for information only.
//
// Exit status: 0 when nothing differs, 1 when something does, 2 on a usage
// or setup error.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  Kind,
  buildASTSchema,
  buildClientSchema,
  findBreakingChanges,
  findDangerousChanges,
  getIntrospectionQuery,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isUnionType,
  parse,
} from 'graphql';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function usage(message) {
  process.stderr.write(
    `${message}\nusage: node tests/schema/compare-dagster.mjs DAGSTER_SCHEMA_FILE [DAGD_BINARY]\n`,
  );
  process.exit(2);
}

/** dagd's schema, by introspection through `dagd graphql`. */
function introspectDagd(binary) {
  // An empty folder as the working directory (no ./workspace.yaml to load)
  // and as the instance's home, removed afterwards.
  const cwd = mkdtempSync(path.join(os.tmpdir(), 'dagd-compare-'));
  try {
    const r = spawnSync(binary, ['graphql', '-t', getIntrospectionQuery()], {
      cwd,
      env: { ...process.env, DAGD_HOME: path.join(cwd, 'home') },
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    if (r.error) usage(`cannot run ${binary}: ${r.error.message}`);
    if (r.status !== 0) usage(`${binary} graphql failed (exit ${r.status}):\n${r.stderr}${r.stdout}`);
    return buildClientSchema(JSON.parse(r.stdout).data);
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

/** The names of a type's members of one kind, as dagd has them (a Set). */
function membersOf(type) {
  const names = (list) => new Set(list.map((x) => x.name));
  if (isObjectType(type) || isInterfaceType(type))
    return {
      fields: names(Object.values(type.getFields())),
      args: new Map(Object.values(type.getFields()).map((f) => [f.name, names(f.args)])),
      interfaces: names(type.getInterfaces()),
    };
  if (isInputObjectType(type)) return { fields: names(Object.values(type.getFields())) };
  if (isEnumType(type)) return { values: names(type.getValues()) };
  if (isUnionType(type)) return { types: names(type.getTypes()) };
  return {};
}

/** The named type a type reference (AST) ends in. */
function namedTypeOf(node) {
  return node.kind === Kind.NAMED_TYPE ? node.name.value : namedTypeOf(node.type);
}

const TYPE_DEFINITIONS = new Set([
  Kind.OBJECT_TYPE_DEFINITION,
  Kind.INTERFACE_TYPE_DEFINITION,
  Kind.INPUT_OBJECT_TYPE_DEFINITION,
  Kind.ENUM_TYPE_DEFINITION,
  Kind.UNION_TYPE_DEFINITION,
  Kind.SCALAR_TYPE_DEFINITION,
]);

/**
 * Dagster's SDL document cut down to dagd's types and members. Returns
 * { document, dagsterLacks: [...], notAccepted: [...] }.
 */
function restrict(dagsterDoc, dagd) {
  const dagdTypes = dagd.getTypeMap();
  const dagsterLacks = [];
  const notAccepted = [];
  const referenced = new Set();
  const keep = (list, allowed, where, onDropped) =>
    (list ?? []).filter((node) => {
      const ok = allowed.has(node.name.value);
      if (!ok && onDropped) onDropped(`${where}${node.name.value}`, node);
      return ok;
    });
  const noteRef = (typeNode) => referenced.add(namedTypeOf(typeNode));
  const accepts = (what, node) => {
    const required = node.type.kind === Kind.NON_NULL_TYPE && !node.defaultValue;
    notAccepted.push(`${what}${required ? ' (required by Dagster)' : ''}`);
  };

  const definitions = [];
  const dagsterNames = new Set();
  for (const def of dagsterDoc.definitions) {
    if (!TYPE_DEFINITIONS.has(def.kind)) continue;
    const name = def.name.value;
    dagsterNames.add(name);
    const mine = dagdTypes[name];
    if (!mine) continue;
    const m = membersOf(mine);
    let out = def;
    switch (def.kind) {
      case Kind.OBJECT_TYPE_DEFINITION:
      case Kind.INTERFACE_TYPE_DEFINITION: {
        const fields = keep(def.fields, m.fields ?? new Set(), `${name}.`).map((f) => {
          noteRef(f.type);
          const args = keep(f.arguments, m.args.get(f.name.value), `${name}.${f.name.value}(`, (what, a) =>
            accepts(`${what}:)`, a),
          );
          args.forEach((a) => noteRef(a.type));
          return { ...f, arguments: args };
        });
        const interfaces = keep(def.interfaces, m.interfaces ?? new Set(), '');
        out = { ...def, fields, interfaces };
        break;
      }
      case Kind.INPUT_OBJECT_TYPE_DEFINITION: {
        const fields = keep(def.fields, m.fields ?? new Set(), `${name}.`, accepts);
        fields.forEach((f) => noteRef(f.type));
        out = { ...def, fields };
        break;
      }
      case Kind.ENUM_TYPE_DEFINITION:
        out = { ...def, values: keep(def.values, m.values ?? new Set(), '') };
        break;
      case Kind.UNION_TYPE_DEFINITION:
        out = { ...def, types: keep(def.types, m.types ?? new Set(), '') };
        break;
      default:
        break;
    }
    definitions.push(out);
  }

  // What dagd has that Dagster does not (additions graphql-js does not report).
  for (const [name, type] of Object.entries(dagdTypes)) {
    if (name.startsWith('__') || ['String', 'Int', 'Float', 'Boolean', 'ID'].includes(name)) continue;
    if (!dagsterNames.has(name)) {
      dagsterLacks.push(`type ${name}`);
      continue;
    }
    const dagsterDef = dagsterDoc.definitions.find((d) => d.name?.value === name);
    const theirs = (list) => new Set((list ?? []).map((x) => x.name.value));
    const compare = (mine, theirNames, label) => {
      for (const n of mine) if (!theirNames.has(n)) dagsterLacks.push(`${label}${n}`);
    };
    const m = membersOf(type);
    if (m.fields) compare(m.fields, theirs(dagsterDef.fields), `field ${name}.`);
    if (m.args)
      for (const [field, args] of m.args) {
        const theirField = (dagsterDef.fields ?? []).find((f) => f.name.value === field);
        if (theirField) compare(args, theirs(theirField.arguments), `argument ${name}.${field}(`);
      }
    if (m.values) compare(m.values, theirs(dagsterDef.values), `enum value ${name}.`);
    if (m.types) compare(m.types, theirs(dagsterDef.types), `union member ${name} = `);
    if (m.interfaces) compare(m.interfaces, theirs(dagsterDef.interfaces), `interface ${name} implements `);
  }

  // A kept member may refer to a Dagster type dagd lacks (dagd answers with a
  // type of another name): keep that type as an empty shell so the change
  // shows up as a changed type rather than a broken document.
  const kept = new Set(definitions.map((d) => d.name.value));
  for (const name of referenced) {
    if (kept.has(name) || dagdTypes[name] || !dagsterNames.has(name)) continue;
    const def = dagsterDoc.definitions.find((d) => d.name?.value === name);
    definitions.push({ ...def, fields: [], values: [], types: [], interfaces: [] });
  }
  return { document: { kind: Kind.DOCUMENT, definitions }, dagsterLacks, notAccepted };
}

function main() {
  const [dagsterFile, binaryArg] = process.argv.slice(2);
  if (!dagsterFile) usage('missing DAGSTER_SCHEMA_FILE');
  const binary = binaryArg || process.env.DAGD || path.join(root, 'build', 'dagd');

  let dagsterDoc;
  try {
    dagsterDoc = parse(readFileSync(dagsterFile, 'utf8'));
  } catch (err) {
    usage(`cannot read Dagster's schema ${dagsterFile}: ${err.message}`);
  }
  const dagd = introspectDagd(binary);
  const { document, dagsterLacks, notAccepted } = restrict(dagsterDoc, dagd);
  const dagster = buildASTSchema(document, { assumeValidSDL: true });

  const breaking = findBreakingChanges(dagster, dagd);
  const dangerous = findDangerousChanges(dagster, dagd);
  const types = Object.keys(dagd.getTypeMap()).filter((n) => !n.startsWith('__')).length;
  const print = (title, lines) => {
    if (!lines.length) return;
    console.log(`\n${title} (${lines.length}):`);
    for (const line of lines) console.log(`  ${line}`);
  };
  console.log(`dagd serves ${types} types; compared with Dagster's ${dagsterFile}.`);
  print('Breaking changes from Dagster to dagd', breaking.map((c) => `${c.type}: ${c.description}`));
  print('Dangerous changes from Dagster to dagd', dangerous.map((c) => `${c.type}: ${c.description}`));
  print("Names dagd has that Dagster's schema lacks", dagsterLacks);
  print(
    'For information: input Dagster accepts and dagd does not (requests using it fail validation)',
    notAccepted,
  );
  const problems = breaking.length + dangerous.length + dagsterLacks.length;
  console.log(problems ? `\n${problems} difference(s).` : '\nNo differences.');
  process.exit(problems ? 1 : 0);
}

main();
