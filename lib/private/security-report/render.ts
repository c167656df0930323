import { CostLine } from './cost';
import { IncompleteReport, SecurityReportModel, Throttle } from './report-model';

/** The report as JSON, stable key order, ending in a newline. */
export function renderJson(model: SecurityReportModel | IncompleteReport): string {
  return `${JSON.stringify(model, undefined, 2)}\n`;
}

/** The Markdown of a report that could not be built: the stack, and the error. */
export function renderIncompleteMarkdown(report: IncompleteReport): string {
  const s = report.stack;
  return [
    `# Security and cost report: ${s.stackName} (INCOMPLETE)`,
    '',
    `Stack \`${s.constructPath}\` (artifact \`${s.artifactId}\`), account ${s.account ?? 'unknown'}, region ${s.region ?? 'unknown'}.`,
    '',
    `The report could not be built from this stack's templates, so it says nothing of its controls: ${report.error}.`,
    'The synth went on. Please report this error to secure-api-gateway with the template shape that caused it.',
    '',
  ].join('\n');
}

/** A table cell: no line breaks, and pipes escaped. */
function cell(value: unknown): string {
  if (value === undefined || value === null || value === '') {
    return '–';
  }
  return String(value).replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
}

function table(headers: string[], rows: unknown[][]): string[] {
  if (rows.length === 0) {
    return ['None.', ''];
  }
  return [
    `| ${headers.join(' | ')} |`,
    `|${headers.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
    '',
  ];
}

function throttleText(t: Throttle | undefined): string {
  if (!t || (t.rateLimit === undefined && t.burstLimit === undefined)) {
    return '–';
  }
  return `${t.rateLimit ?? '–'} rps, burst ${t.burstLimit ?? '–'}`;
}

/** A dollar amount: cents, or more digits for a sub-cent price. */
export function money(amount: number): string {
  if (amount !== 0 && Math.abs(amount) < 0.01) {
    return `$${Number(amount.toPrecision(6))}`;
  }
  const digits = Number.isInteger(Math.round(amount * 100)) && Math.abs(amount * 100 - Math.round(amount * 100)) < 1e-9 ? 2 : 4;
  return `$${amount.toFixed(digits)}`;
}

function costRows(lines: CostLine[]): unknown[][] {
  return lines.map((l) => [l.item, `${Number(l.quantity.toPrecision(8))} ${l.unit}`, money(l.unitPriceUsd), money(l.amountUsd), l.verified === 'stored-page' ? 'checked' : 'last known', l.note]);
}

/** The report as Markdown, for people. */
export function renderMarkdown(model: SecurityReportModel): string {
  const s = model.stack;
  const out: string[] = [
    `# Security and cost report: ${s.stackName}`,
    '',
    `Stack \`${s.constructPath}\` (artifact \`${s.artifactId}\`), account ${s.account ?? 'unknown'}, region ${s.region ?? 'unknown'}.`,
    'Written at synth from the synthesized templates by secure-api-gateway. Its JSON twin has the same content for tools.',
    '',
    '## Routes',
    '',
  ];
  out.push(...table(
    ['Route', 'API', 'Authorization', 'Type', 'Scopes', 'Authorizer', 'API key', 'Throttle'],
    model.routes.map((r) => [
      r.routeKey,
      r.api,
      r.authorization ?? '(not added with addRoute)',
      r.authorizationType,
      r.scopes.join(', '),
      r.authorizer ? `${r.authorizer.name ?? r.authorizer.logicalId}${r.authorizer.type ? ` (${r.authorizer.type}${r.authorizer.resultTtlSeconds !== undefined ? `, cache ${r.authorizer.resultTtlSeconds} s` : ''})` : ''}` : '',
      r.apiKeyRequired ? 'required' : 'no',
      r.throttle ? `${throttleText(r.throttle)} (${r.throttle.source})` : '',
    ]),
  ));
  out.push('### Stage throttles', '');
  out.push(...table(['API', 'Stage', 'Default throttle'], model.stageThrottles.map((t) => [t.api, t.stage, throttleText(t)])));
  out.push('### Usage tiers (apply to routes that require an API key)', '');
  out.push(...table(['Tier', 'Throttle', 'Quota', 'Per-method throttles'], model.usageTiers.map((t) => [
    t.name,
    throttleText(t.throttle),
    t.quota ? `${t.quota.limit ?? '–'} per ${String(t.quota.period ?? '?').toLowerCase()}${t.quota.offset ? ` (offset ${t.quota.offset})` : ''}` : '',
    t.methodThrottles.map((m) => `${m.method}: ${throttleText(m)}`).join('; '),
  ])));

  out.push('## AWS WAF', '');
  if (model.firewalls.length === 0) {
    out.push('No web ACL in this stack.', '');
  }
  for (const f of model.firewalls) {
    const used = f.capacityUsed === undefined ? 'unknown (a statement the library does not write)' : `${f.capacityUsed} of ${f.capacityLimit} WCU`;
    out.push(`Web ACL \`${f.name ?? f.logicalId}\` (${f.logicalId}): default action ${f.defaultAction}; capacity ${used}`
      + `${f.capacityUsed !== undefined && f.capacityUsed > f.capacityIncluded ? ` (above the ${f.capacityIncluded} WCU included in the base price: AWS WAF charges more per request)` : ''}.`, '');
    out.push(...table(['Priority', 'Rule', 'Action', 'Managed group', 'Overrides', 'WCU'], f.rules.map((r) => [
      r.priority,
      r.name,
      r.action,
      r.managedGroup ? `${r.managedGroup.vendor}/${r.managedGroup.name}${r.managedGroup.version ? ` ${r.managedGroup.version}` : ''}${r.managedGroup.config ? ` ${r.managedGroup.config}` : ''}` : '',
      r.managedGroup?.overrides.join('; '),
      r.capacity,
    ])));
  }

  out.push('## Encryption and retention', '', '### KMS keys', '');
  out.push(...table(['Key', 'Rotation', 'Template'], model.keys.map((k) => [k.logicalId, k.rotation ? `on, every ${k.rotationPeriodDays} days` : 'OFF', k.template])));
  out.push('### Data at rest', '');
  out.push(...table(['Resource', 'Type', 'Name', 'Encryption', 'Key', 'Retention', 'Template'], model.encryption.map((e) => [
    e.logicalId, e.type, e.name, e.encryption, e.kmsKey, e.retentionNeverExpires ? 'never expires' : e.retentionDays === undefined ? '' : `${e.retentionDays} days`, e.template,
  ])));

  out.push('## Alarms and where they notify', '');
  out.push(...table(['Alarm', 'Kind', 'Alarm metrics', 'Actions', 'Subscriptions'], model.alarms.map((a) => [
    a.name ?? a.logicalId,
    a.kind,
    a.kind === 'composite' ? '' : a.metricsBilled,
    a.actions.map((x) => x.target).join('; ') || 'NONE',
    a.actions.flatMap((x) => x.subscriptions).join('; ') || (a.actions.length > 0 ? 'none in this stack' : ''),
  ])));

  out.push('## Resource count', '');
  out.push(...table(['Template', 'File', 'Resources', 'Limit'], model.resourceCounts.map((r) => [r.template, r.fileName, r.resources, r.limit])));

  out.push('## Acknowledgements in force', '');
  out.push(...table(['Rule', 'Reason', 'Construct', 'Logical id'], model.acknowledgements.map((a) => [a.ruleId, a.reason, a.constructPath || '(the app)', a.noResourceInStack ? 'no resource in this stack' : a.logicalId ? `${a.logicalId} (${a.template})` : ''])));

  const c = model.cost;
  out.push('## Cost of the controls', '',
    `Prices in ${c.currency}, taken on ${c.pricesTakenOn}, for ${c.priceRegion} (AWS WAF: every region); the stack is in ${s.region ?? 'an unknown region'}.`
    + ' Free tiers are left out (they are per account). "last known" prices were not re-verified offline: see the source in the JSON report.', '');
  out.push('### Fixed monthly cost', '');
  out.push(...table(['Item', 'Quantity', 'Unit price', 'Amount', 'Price', 'Note'], costRows(c.fixedMonthly)));
  out.push(`**Fixed total: ${money(c.fixedMonthlyTotalUsd)} a month.**`, '');
  out.push('### Per million requests', '');
  out.push(...table(['Item', 'Quantity', 'Unit price', 'Amount', 'Price', 'Note'], costRows(c.perMillionRequests)));
  out.push(`**Per million requests: ${money(c.perMillionRequestsTotalUsd)}.**`, '');
  out.push('### Usage-based, no fixed part', '');
  out.push(...table(['Item', 'Price', 'Unit', 'Note'], c.usageBased.map((u) => [u.item, money(u.priceUsd), u.unit, u.note])));
  return `${out.join('\n').trimEnd()}\n`;
}
