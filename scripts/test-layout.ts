/**
 * `node dist/scripts/test-layout.js`: every source file with logic under
 * nodes/ and app/ has its test at the mirrored path, so a reader goes from
 * code to test in one step: nodes/<dir>/<name>.ts -> test/<dir>/<name>.test.ts,
 * app/<dir>/<name>.ts -> test/app/<dir>/<name>.test.ts. Files without logic
 * (only types, constants or re-exports) and index files are skipped. The
 * rules are pure (hasLogic, expectedTest, missingTests); the command line
 * follows them, and test/scripts/test-layout.test.ts runs them on the repo.
 */
import fs from 'fs';
import path from 'path';
import ts from 'typescript';

/** The trees whose modules must have a mirrored test. */
export const SOURCE_ROOTS = ['nodes', 'app'];

/**
 * Modules covered end to end only, each with its reason. Keep it short: a
 * module with a decision in it gets its own test instead.
 */
export const END_TO_END_ONLY: Record<string, string> = {
  'app/start.ts': 'the process entry point: started as a child process by test/support/app.ts (test/app/ready-early, test/security/startup, secrets)',
  'app/auth/bcrypt-worker.ts': 'a worker thread body: run through createVerifier by test/app/auth/verifier.test.ts',
};

/** True when the source declares a function, method, class or accessor: something a test can call. */
export function hasLogic(source: string, fileName = 'x.ts'): boolean {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.ES2022, true);
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (
      ts.isFunctionDeclaration(n) ||
      ts.isFunctionExpression(n) ||
      ts.isArrowFunction(n) ||
      ts.isMethodDeclaration(n) ||
      ts.isClassDeclaration(n) ||
      ts.isClassExpression(n) ||
      ts.isGetAccessorDeclaration(n) ||
      ts.isSetAccessorDeclaration(n)
    ) {
      // Signatures inside types and `declare function` carry no code.
      if (!(ts.isFunctionDeclaration(n) && !n.body)) found = true;
      return;
    }
    if (ts.isInterfaceDeclaration(n) || ts.isTypeAliasDeclaration(n)) return;
    ts.forEachChild(n, visit);
  };
  visit(file);
  return found;
}

/** The mirrored test of a source path (relative to the repo, forward slashes). */
export function expectedTest(source: string): string {
  const [root, ...rest] = source.split('/');
  const rel = rest.join('/').replace(/\.ts$/, '.test.ts');
  return root === 'nodes' ? `test/${rel}` : `test/${root}/${rel}`;
}

/** Source files that need a mirrored test: .ts (not .d.ts), not index.ts, with logic. */
export function modulesWithLogic(files: Array<{ path: string; source: string }>): string[] {
  return files
    .filter((f) => f.path.endsWith('.ts') && !f.path.endsWith('.d.ts') && path.posix.basename(f.path) !== 'index.ts')
    .filter((f) => hasLogic(f.source, f.path))
    .map((f) => f.path)
    .sort();
}

export interface LayoutReport {
  /** Modules with logic, no test at the mirrored path, and not listed: a new gap. */
  missing: Array<{ module: string; test: string }>;
  /** Allowlisted modules that have a test now or no longer have logic: remove them from the list. */
  stale: string[];
}

/** Compares modules with the tests present; `allow` names the modules covered only end to end. */
export function missingTests(modules: string[], tests: Set<string>, allow: Record<string, string> = END_TO_END_ONLY): LayoutReport {
  const gap = (m: string): boolean => !tests.has(expectedTest(m));
  const listed = new Set(Object.keys(allow));
  const missing = modules.filter((m) => !listed.has(m) && gap(m)).map((m) => ({ module: m, test: expectedTest(m) }));
  const stale = [...listed].filter((m) => !modules.includes(m) || !gap(m));
  return { missing, stale };
}

function walk(root: string, dir: string, out: string[]): void {
  for (const e of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = path.posix.join(dir, e.name);
    if (e.isDirectory()) walk(root, rel, out);
    else out.push(rel);
  }
}

/** Checks the repository at `root` (the folder holding nodes/, app/ and test/). */
export function checkRepo(root: string): LayoutReport {
  const sources: string[] = [];
  for (const r of SOURCE_ROOTS) walk(root, r, sources);
  const testFiles: string[] = [];
  walk(root, 'test', testFiles);
  const modules = modulesWithLogic(sources.filter((p) => p.endsWith('.ts')).map((p) => ({ path: p, source: fs.readFileSync(path.join(root, p), 'utf8') })));
  return missingTests(modules, new Set(testFiles), END_TO_END_ONLY);
}

if (require.main === module) {
  const report = checkRepo(path.resolve(__dirname, '..', '..'));
  for (const m of report.missing) console.log(`${m.module}: no test at ${m.test}`);
  for (const s of report.stale) console.log(`${s}: remove it from its list (it has a test now, or no longer has logic)`);
  process.exitCode = report.missing.length || report.stale.length ? 1 : 0;
}
