import ts from 'typescript-api';
import { type Finding, inline, type Level } from './findings.ts';

/** One function's McCabe cyclomatic complexity: 1 + its decision points. */
export interface FunctionComplexity {
  name: string;
  file: string;
  line: number;
  complexity: number;
}

/**
 * McCabe's own threshold: above 10 a function has more paths than anyone tests. Above 20 (ESLint's
 * default limit) it is a warning, not a note.
 */
export const COMPLEXITY_THRESHOLD = 10;
const WARNING_FROM = 21;
/** The SARIF file lists at most this many; the report shows the top of the list. */
const MAX_FINDINGS = 200;

const LOGICAL = new Set<ts.SyntaxKind>([
  ts.SyntaxKind.AmpersandAmpersandToken,
  ts.SyntaxKind.BarBarToken,
  ts.SyntaxKind.QuestionQuestionToken,
  ts.SyntaxKind.AmpersandAmpersandEqualsToken,
  ts.SyntaxKind.BarBarEqualsToken,
  ts.SyntaxKind.QuestionQuestionEqualsToken,
]);

function isDecision(node: ts.Node): boolean {
  switch (node.kind) {
    case ts.SyntaxKind.IfStatement:
    case ts.SyntaxKind.ConditionalExpression:
    case ts.SyntaxKind.ForStatement:
    case ts.SyntaxKind.ForInStatement:
    case ts.SyntaxKind.ForOfStatement:
    case ts.SyntaxKind.WhileStatement:
    case ts.SyntaxKind.DoStatement:
    case ts.SyntaxKind.CaseClause:
    case ts.SyntaxKind.CatchClause:
      return true;
    case ts.SyntaxKind.BinaryExpression:
      return LOGICAL.has((node as ts.BinaryExpression).operatorToken.kind);
    default:
      return false;
  }
}

function nameText(name: ts.Node | undefined, ast: ts.SourceFile): string | undefined {
  if (!name) return undefined;
  if (
    ts.isIdentifier(name) ||
    ts.isPrivateIdentifier(name) ||
    ts.isStringLiteral(name) ||
    ts.isNumericLiteral(name)
  ) {
    return name.text;
  }
  const text = name.getText(ast);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

/** The name a reader would search for: `Class.method`, the variable an arrow is assigned to, … */
function functionName(fn: ts.FunctionLikeDeclaration, ast: ts.SourceFile): string {
  const own = fn.kind === ts.SyntaxKind.Constructor ? 'constructor' : nameText(fn.name, ast);
  const parent = fn.parent;
  if (ts.isClassLike(parent)) return `${nameText(parent.name, ast) ?? '<class>'}.${own ?? '<anonymous>'}`;
  if (own) return own;
  if (
    ts.isVariableDeclaration(parent) ||
    ts.isPropertyAssignment(parent) ||
    ts.isPropertyDeclaration(parent)
  ) {
    return nameText(parent.name, ast) ?? '<anonymous>';
  }
  if (ts.isBinaryExpression(parent)) return nameText(parent.left, ast) ?? '<anonymous>';
  if (ts.isCallExpression(parent)) return `<callback of ${nameText(parent.expression, ast) ?? 'a call'}>`;
  return '<anonymous>';
}

/** Every function in one file with its complexity; nested functions are counted on their own. */
export function functionsOf(ast: ts.SourceFile, path: string): FunctionComplexity[] {
  const out: FunctionComplexity[] = [];
  const measure = (fn: ts.FunctionLikeDeclaration) => {
    // Listed before its nested functions, so the list reads in source order.
    const entry: FunctionComplexity = {
      name: functionName(fn, ast),
      file: path,
      line: ast.getLineAndCharacterOfPosition(fn.getStart(ast)).line + 1,
      complexity: 1,
    };
    out.push(entry);
    const walk = (node: ts.Node): void => {
      if (ts.isFunctionLike(node)) {
        visit(node);
        return;
      }
      if (isDecision(node)) entry.complexity++;
      ts.forEachChild(node, walk);
    };
    for (const p of fn.parameters) {
      // A default value is a decision taken on entry.
      if (!p.initializer) continue;
      entry.complexity++;
      walk(p.initializer);
    }
    if (fn.body) walk(fn.body);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) measure(node as ts.FunctionLikeDeclaration);
    else ts.forEachChild(node, visit);
  };
  ts.forEachChild(ast, visit);
  return out;
}

export function complexityLevel(complexity: number): Level {
  return complexity >= WARNING_FROM ? 'warning' : 'note';
}

export interface ComplexityScan {
  functions: number;
  /** Above the threshold, most complex first. */
  hotSpots: FunctionComplexity[];
  findings: Finding[];
}

export function scanComplexity(files: readonly { path: string; ast: ts.SourceFile }[]): ComplexityScan {
  const all = files.filter((f) => !f.ast.isDeclarationFile).flatMap((f) => functionsOf(f.ast, f.path));
  const hotSpots = all
    .filter((f) => f.complexity > COMPLEXITY_THRESHOLD)
    .sort((a, b) => b.complexity - a.complexity || a.file.localeCompare(b.file) || a.line - b.line);
  const findings: Finding[] = hotSpots.slice(0, MAX_FINDINGS).map((f) => {
    return {
      ruleId: 'complexity/cyclomatic',
      level: complexityLevel(f.complexity),
      category: 'complexity',
      message: `\`${inline(f.name, 80)}\` has a cyclomatic complexity of ${f.complexity} (threshold ${COMPLEXITY_THRESHOLD}): split it into smaller functions.`,
      file: f.file,
      line: f.line,
    };
  });
  return { functions: all.length, hotSpots, findings };
}
