/// The console's Mustache templates, compiled into the binary. Every page extends `layout`;
/// `{{x}}` escapes, and only HTML the console built itself (the tree) goes through `{{{x}}}`.
enum ConsoleTemplates {
    static let all: [String: String] = [
        "layout": layout, "applications": applications, "application": application, "resource": resource,
        "history": history, "audit": audit, "message": message, "access": access,
    ]

    static let layout = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · Tidemark</title>
        <link rel="icon" href="data:,">
        <link rel="stylesheet" href="/assets/console.css">
        <script src="/assets/console.js" defer></script>
        </head>
        <body{{#eventStream}} data-events="{{eventStream}}"{{/eventStream}}>
        <a class="skip" href="#main">Skip to content</a>
        <header class="top">
        <nav aria-label="Main">
        <a class="brand" href="/">Tidemark</a>
        <a href="/"{{#onApplications}} aria-current="page"{{/onApplications}}>Applications</a>
        {{#app}}
        <span class="sep" aria-hidden="true">/</span>
        <a href="/apps/{{app}}"{{#onApplication}} aria-current="page"{{/onApplication}}>{{app}}</a>
        <a href="/apps/{{app}}/history"{{#onHistory}} aria-current="page"{{/onHistory}}>History</a>
        <a href="/apps/{{app}}/audit"{{#onAudit}} aria-current="page"{{/onAudit}}>Audit</a>
        {{/app}}
        </nav>
        <p class="live" id="live" role="status" aria-live="polite"></p>
        </header>
        <main id="main" tabindex="-1">
        {{$main}}{{/main}}
        </main>
        <footer><p>Rendered {{rendered}} · <a href="/api/v1/apps">JSON API</a> · <a href="/metrics">metrics</a></p></footer>
        </body>
        </html>
        """

    static let applications = """
        {{<layout}}{{$main}}
        <h1>Applications</h1>
        <form class="filters" method="get" action="/" role="search" aria-label="Filter applications">
        <label>Name <input type="search" name="q" value="{{q}}"></label>
        <label>Sync <select name="sync"><option value="">any</option>{{#syncs}}<option{{#selected}} selected{{/selected}}>{{value}}</option>{{/syncs}}</select></label>
        <label>Health <select name="health"><option value="">any</option>{{#healths}}<option{{#selected}} selected{{/selected}}>{{value}}</option>{{/healths}}</select></label>
        <label>Label <input name="label" value="{{label}}" placeholder="team=risk"></label>
        <button type="submit">Filter</button>
        </form>
        <table class="list">
        <caption>{{shown}} of {{total}} applications</caption>
        <thead><tr><th scope="col">Application</th><th scope="col">Sync</th><th scope="col">Health</th><th scope="col">Head commit</th><th scope="col">Last sync</th><th scope="col">Next attempt</th><th scope="col">Pinned</th><th scope="col">Labels</th></tr></thead>
        <tbody>
        {{#apps}}
        <tr><th scope="row"><a href="/apps/{{name}}">{{name}}</a>{{#standby}} <span class="note">(standby here)</span>{{/standby}}</th>
        <td><span class="badge sync-{{sync}}">{{sync}}</span><div class="note">{{message}}</div></td>
        <td><span class="badge health-{{health}}">{{health}}</span></td>
        <td><code>{{head}}</code></td><td>{{lastSync}}</td><td>{{nextAttempt}}</td><td>{{pinned}}</td><td>{{labels}}</td></tr>
        {{/apps}}
        {{^apps}}<tr><td colspan="8">No application matches.</td></tr>{{/apps}}
        </tbody>
        </table>
        {{/main}}{{/layout}}
        """

    static let application = """
        {{<layout}}{{$main}}
        <h1>{{app}} <span class="badge sync-{{sync}}">{{sync}}</span> <span class="badge health-{{health}}">{{health}}</span></h1>
        <p class="message">{{message}}</p>
        <dl class="facts">
        <dt>Source</dt><dd><code>{{repo}}</code> {{branch}} <code>{{path}}</code></dd>
        <dt>Head commit</dt><dd><code>{{head}}</code> {{headSummary}}</dd>
        <dt>Last applied</dt><dd>{{#lastApplied}}revision {{lastApplied}} at <code>{{lastAppliedCommit}}</code>{{/lastApplied}}{{^lastApplied}}nothing yet{{/lastApplied}}</dd>
        <dt>Last sync</dt><dd>{{lastSync}}</dd>
        <dt>Next attempt</dt><dd>{{nextAttempt}}</dd>
        <dt>Pinned revision</dt><dd>{{pinned}}</dd>
        <dt>Policy</dt><dd>{{policy}}</dd>
        <dt>This replica</dt><dd>{{role}}</dd>
        </dl>
        {{#hasDiagnostics}}
        <section aria-labelledby="diagnostics-heading"><h2 id="diagnostics-heading">Problems in the manifests</h2>
        <ul class="diagnostics">{{#diagnostics}}<li class="{{severity}}"><code>{{position}}</code> {{message}} <span class="note">[{{code}}]</span></li>{{/diagnostics}}</ul>
        </section>
        {{/hasDiagnostics}}
        <section aria-labelledby="tree-heading">
        <h2 id="tree-heading">Resources</h2>
        <p>{{resourceCount}} resources{{#drifted}}, <strong>{{drifted}} drifted</strong>{{/drifted}}{{#outOfSync}}, {{outOfSync}} out of sync{{/outOfSync}}. Each is shown under what it depends on; open a row to see what depends on it.</p>
        {{{tree}}}
        </section>
        <section aria-labelledby="plan-heading">
        <h2 id="plan-heading">{{#pending}}Pending plan{{/pending}}{{^pending}}Last plan{{/pending}}</h2>
        {{#plan}}<pre class="plan">{{plan}}</pre>{{/plan}}
        {{^plan}}<p>No plan has been made yet.</p>{{/plan}}
        </section>
        {{/main}}{{/layout}}
        """

    static let resource = """
        {{<layout}}{{$main}}
        <h1><span class="kind">{{kind}}</span> {{name}} <span class="badge sync-{{sync}}">{{sync}}</span> <span class="badge health-{{health}}">{{health}}</span>{{#drifted}} <span class="badge drift">Drift</span>{{/drifted}}</h1>
        <dl class="facts">
        <dt>Physical name</dt><dd><code>{{physicalName}}</code></dd>
        {{#superseded}}<dt>Earlier versions kept for rollback</dt><dd>{{superseded}}</dd>{{/superseded}}
        <dt>ARN</dt><dd><code>{{arn}}</code></dd>
        <dt>Service status</dt><dd>{{status}}{{#failure}} — <strong>{{failure}}</strong>{{/failure}}</dd>
        <dt>Created · modified</dt><dd>{{created}} · {{modified}}</dd>
        </dl>
        <section aria-labelledby="diff-heading">
        <h2 id="diff-heading">Desired and live</h2>
        {{#change}}
        <p>{{action}}: {{reason}}{{#destructive}} <strong>(destructive)</strong>{{/destructive}}</p>
        <table class="diff"><thead><tr><th scope="col">Field</th><th scope="col">Live</th><th scope="col">Desired (Git)</th></tr></thead>
        <tbody>{{#diff}}<tr{{#replaces}} class="replaces"{{/replaces}}><th scope="row"><code>{{path}}</code>{{#replaces}} <span class="note">forces replacement</span>{{/replaces}}</th><td><pre>{{before}}</pre></td><td><pre>{{after}}</pre></td></tr>{{/diff}}</tbody></table>
        {{/change}}
        {{^change}}<p>In sync: no field differs between Git and the live object as of the last plan.</p>{{/change}}
        </section>
        <section aria-labelledby="lineage-heading">
        <h2 id="lineage-heading">Lineage</h2>
        <dl class="facts">
        <dt>Commit</dt><dd><code>{{commit}}</code> {{summary}}</dd>
        <dt>Author</dt><dd>{{author}}</dd>
        <dt>File</dt><dd><code>{{position}}</code></dd>
        <dt>Applied by revision</dt><dd>{{revision}}</dd>
        </dl>
        {{#hasServed}}
        <table class="list"><caption>Model package versions this endpoint serves</caption>
        <thead><tr><th scope="col">Variant</th><th scope="col">Model</th><th scope="col">Package</th><th scope="col">Version</th><th scope="col">Approval</th><th scope="col">Approved by</th></tr></thead>
        <tbody>{{#served}}<tr><td>{{variant}}</td><td><code>{{model}}</code></td><td><code>{{package}}</code></td><td>{{version}}</td><td>{{approval}}</td><td>{{approvedBy}}</td></tr>{{/served}}</tbody></table>
        {{/hasServed}}
        </section>
        <section aria-labelledby="audit-heading">
        <h2 id="audit-heading">Audit entries</h2>
        <table class="list"><thead><tr><th scope="col">#</th><th scope="col">Time</th><th scope="col">Actor</th><th scope="col">Trigger</th><th scope="col">Action</th><th scope="col">Outcome</th><th scope="col">Revision</th><th scope="col">Commit</th></tr></thead>
        <tbody>{{#audit}}<tr><td>{{sequence}}</td><td>{{time}}</td><td>{{actor}}</td><td>{{trigger}}</td><td>{{action}}</td><td class="outcome-{{outcome}}">{{outcome}}{{#error}}: {{error}}{{/error}}</td><td>{{revision}}</td><td><code>{{commit}}</code></td></tr>{{/audit}}
        {{^audit}}<tr><td colspan="8">No entries.</td></tr>{{/audit}}</tbody></table>
        </section>
        <section aria-labelledby="service-heading">
        <h2 id="service-heading">What the service reports</h2>
        {{#hasEvents}}
        <table class="list"><caption>The service's events, newest first</caption>
        <thead><tr><th scope="col">Time</th><th scope="col">Object</th><th scope="col">Status</th></tr></thead>
        <tbody>{{#events}}<tr><td>{{time}}</td><td><code>{{name}}</code></td><td>{{status}}{{#failure}}: <strong>{{failure}}</strong>{{/failure}}</td></tr>{{/events}}
        {{^events}}<tr><td colspan="3">None kept.</td></tr>{{/events}}</tbody></table>
        {{/hasEvents}}
        {{^hasEvents}}<p>This backend keeps no event history (for the SageMaker API, see CloudTrail).</p>{{/hasEvents}}
        <pre class="json">{{observed}}</pre>
        </section>
        {{/main}}{{/layout}}
        """

    static let history = """
        {{<layout}}{{$main}}
        <h1>History of {{app}}</h1>
        {{#flash}}<p class="flash" role="status">{{flash}}</p>{{/flash}}
        {{> access}}
        <form class="inline" method="post" action="/apps/{{app}}/sync"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">Sync now</button></form>
        <table class="list">
        <caption>The last {{count}} revisions, newest first</caption>
        <thead><tr><th scope="col">Revision</th><th scope="col">Commit</th><th scope="col">Started</th><th scope="col">Actor</th><th scope="col">Trigger</th><th scope="col">Outcome</th><th scope="col">Message</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
        <tbody>
        {{#revisions}}
        <tr><th scope="row">{{number}}{{#pinned}} <span class="badge pinned">pinned</span>{{/pinned}}</th><td><code>{{commit}}</code></td><td>{{started}}</td><td>{{actor}}</td><td>{{trigger}}</td><td class="outcome-{{outcome}}">{{outcome}}</td><td>{{message}}</td>
        <td>{{#restorable}}<form method="post" action="/apps/{{app}}/rollback"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="revision" value="{{number}}"><button type="submit" aria-label="Roll back to revision {{number}}">Rollback</button></form>{{/restorable}}</td></tr>
        {{/revisions}}
        {{^revisions}}<tr><td colspan="8">Nothing applied yet.</td></tr>{{/revisions}}
        </tbody>
        </table>
        {{/main}}{{/layout}}
        """

    static let access = """
        {{#locked}}
        <form class="token" method="post" action="/console/session">
        <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="return" value="{{returnPath}}">
        <label>API token <input type="password" name="token" autocomplete="current-password" required></label>
        <button type="submit">Unlock actions</button>
        <span class="note">Sync and Rollback need the API token once per browser session.</span>
        </form>
        {{/locked}}
        {{#unlocked}}<form class="token" method="post" action="/console/session/end"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="return" value="{{returnPath}}"><span class="note">Actions are unlocked for this browser session.</span> <button type="submit">Lock</button></form>{{/unlocked}}
        """

    static let audit = """
        {{<layout}}{{$main}}
        <h1>Audit log of {{app}}</h1>
        <p class="verify verify-{{verified}}" role="status">{{verifyText}}</p>
        <p><a href="/api/v1/apps/{{app}}/audit">As JSON</a>{{#older}} · <a href="/apps/{{app}}/audit?after={{older}}">Older entries</a>{{/older}}{{#newer}} · <a href="/apps/{{app}}/audit">Newest</a>{{/newer}}</p>
        <table class="list">
        <thead><tr><th scope="col">#</th><th scope="col">Time</th><th scope="col">Actor</th><th scope="col">Trigger</th><th scope="col">Resource</th><th scope="col">Action</th><th scope="col">Outcome</th><th scope="col">Revision</th><th scope="col">Commit</th><th scope="col">Hash</th></tr></thead>
        <tbody>{{#entries}}<tr><td>{{sequence}}</td><td>{{time}}</td><td>{{actor}}</td><td>{{trigger}}</td><td>{{#link}}<a href="{{link}}">{{resource}}</a>{{/link}}{{^link}}{{resource}}{{/link}}</td><td>{{action}}</td><td class="outcome-{{outcome}}">{{outcome}}{{#error}}: {{error}}{{/error}}</td><td>{{revision}}</td><td><code>{{commit}}</code></td><td><code title="{{hash}}">{{shortHash}}</code></td></tr>{{/entries}}
        {{^entries}}<tr><td colspan="10">No entries.</td></tr>{{/entries}}</tbody>
        </table>
        {{/main}}{{/layout}}
        """

    static let message = """
        {{<layout}}{{$main}}
        <h1>{{heading}}</h1>
        <p role="alert">{{text}}</p>
        {{> access}}
        <p><a href="{{back}}">Back</a></p>
        {{/main}}{{/layout}}
        """
}
