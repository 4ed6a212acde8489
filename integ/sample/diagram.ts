/**
 * Draws the sample app's architecture from its construct tree: one box per stack, one node per
 * construct of this library, an arrow wherever a construct holds a reference to another.
 * `npx projen diagram` writes docs/architecture.dot and renders docs/architecture.png with graphviz.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { buildSampleApp } from './app';
import { stageConfig } from './config';
import * as lib from '../../src';

const LIBRARY_CLASSES: Array<abstract new (...args: never[]) => IConstruct> = (Object.values(lib) as unknown[]).filter(
  (v): v is abstract new (...args: never[]) => IConstruct => typeof v === 'function' && v.prototype instanceof Construct);

function isLibraryConstruct(x: unknown): x is IConstruct {
  return LIBRARY_CLASSES.some(c => x instanceof c);
}

export function architectureDot(app: App): string {
  const nodes = app.node.findAll().filter(isLibraryConstruct);
  const id = (c: IConstruct) => `"${c.node.path}"`;
  const lines = ['digraph architecture {', '  rankdir=LR;', '  node [shape=box, style="rounded,filled", fillcolor="#f2f6fc", fontname="Helvetica"];', '  edge [color="#5a6b85"];'];
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
    for (const value of Object.values(from)) {
      for (const to of Array.isArray(value) ? value : [value]) {
        if (to !== from && isLibraryConstruct(to) && nodes.includes(to)) {
          edges.add(`  ${id(to)} -> ${id(from)};`);
        }
      }
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
