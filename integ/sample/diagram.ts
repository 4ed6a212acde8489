/**
 * Draws the sample app's architecture from its construct tree: one box per stack, one node per
 * construct of this library, an arrow wherever a construct holds a reference to another, and a
 * dashed one where a service calls another through its Cloud Map name.
 * `npx projen diagram` writes docs/architecture.dot and renders docs/architecture.png with graphviz.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Construct, IConstruct } from 'constructs';
import { buildSampleApp } from './app';
import { stageConfig } from './config';
import * as lib from '../../src';

const LIBRARY_CLASSES: Array<abstract new (...args: never[]) => IConstruct> = (Object.values(lib) as unknown[]).filter(
  (v): v is abstract new (...args: never[]) => IConstruct => typeof v === 'function' && v.prototype instanceof Construct);

function isLibraryConstruct(x: unknown): x is IConstruct {
  return LIBRARY_CLASSES.some(c => x instanceof c);
}

/**
 * Library constructs an object holds: in its fields, in arrays, maps and sets, and one level into
 * plain objects (such as a load-test target that names its service).
 */
function referencedConstructs(from: object, depth = 0): IConstruct[] {
  const found: IConstruct[] = [];
  for (const value of Object.values(from)) {
    const items = value instanceof Map ? [...value.values(), ...value.keys()]
      : value instanceof Set || Array.isArray(value) ? [...value] : [value];
    for (const item of items) {
      if (isLibraryConstruct(item)) {
        found.push(item);
      } else if (depth === 0 && item && typeof item === 'object' && !Construct.isConstruct(item)) {
        found.push(...referencedConstructs(item, depth + 1));
      }
    }
  }
  return found;
}

export function architectureDot(app: App): string {
  const nodes = app.node.findAll().filter(isLibraryConstruct);
  const id = (c: IConstruct) => `"${c.node.path}"`;
  const lines = [
    'digraph architecture {',
    '  rankdir=LR;',
    '  node [shape=box, style="rounded,filled", fillcolor="#f2f6fc", fontname="Helvetica"];',
    '  edge [color="#5a6b85", fontname="Helvetica", fontsize=10];',
  ];
  for (const stack of app.node.children.filter(Stack.isStack)) {
    const inStack = nodes.filter(n => Stack.of(n) === stack);
    if (inStack.length === 0) {
      continue;
    }
    lines.push(`  subgraph "cluster_${stack.stackName}" {`, `    label="${stack.stackName}"; style=dashed; fontname="Helvetica";`);
    for (const n of inStack) {
      lines.push(`    ${id(n)} [label="${n.constructor.name}\\n${n.node.id}"];`);
    }
    lines.push('  }');
  }
  const edges = new Set<string>();
  for (const from of nodes) {
    for (const to of referencedConstructs(from)) {
      if (to !== from && nodes.includes(to)) {
        edges.add(`  ${id(to)} -> ${id(from)};`);
      }
    }
  }
  // A service whose container settings hold another's Cloud Map URL calls it directly.
  const services = nodes.filter((n): n is lib.MicroService => n instanceof lib.MicroService);
  for (const caller of services) {
    const taskDefinition = caller.taskDefinition.node.defaultChild as ecs.CfnTaskDefinition;
    const containers = JSON.stringify(Stack.of(caller).resolve(taskDefinition.containerDefinitions));
    for (const callee of services.filter(s => s !== caller && containers.includes(s.serviceDiscoveryUrl))) {
      edges.add(`  ${id(caller)} -> ${id(callee)} [style=dashed, label="Cloud Map"];`);
    }
  }
  lines.push(...[...edges].sort(), '}');
  return lines.join('\n') + '\n';
}

if (require.main === module) {
  const app = new App();
  buildSampleApp(app, stageConfig('dev'), { region: 'us-east-1' });
  const docs = path.join(__dirname, '..', '..', 'docs');
  fs.mkdirSync(docs, { recursive: true });
  fs.writeFileSync(path.join(docs, 'architecture.dot'), architectureDot(app));
  execFileSync('dot', ['-Tpng', '-Gdpi=110', '-o', path.join(docs, 'architecture.png'), path.join(docs, 'architecture.dot')]);
  console.log('wrote docs/architecture.dot and docs/architecture.png');
}
