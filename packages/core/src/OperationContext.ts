/**
 * Attaches an optional `operationContext` to an object just built. It sets the property on the
 * fresh object rather than spreading a conditional one in: object spread is slow in the engines
 * we run on, and this is on the path of every event.
 */
export const attach = <const T extends object>(
  fresh: T,
  operationContext: string | undefined,
): T & { readonly operationContext?: string } => {
  if (operationContext !== undefined)
    (fresh as { operationContext?: string }).operationContext = operationContext
  return fresh
}
