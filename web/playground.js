// playground.js — starts GraphiQL in the page dagd serves at GET /graphql
// (playground.html). Queries and mutations go over HTTP POST to the same
// endpoint; subscriptions over WebSocket (graphql-transport-ws, the client
// bundled in graphiql.min.js) to ws(s)://<this host><endpoint>, opened only
// when a subscription runs. A `?query=` in the page's URL fills the editor.
(function () {
  'use strict';
  var root = document.getElementById('graphiql');
  var endpoint = root.getAttribute('data-endpoint');
  var scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  var fetcher = window.GraphiQL.createFetcher({
    url: endpoint,
    subscriptionUrl: scheme + '//' + window.location.host + endpoint,
  });
  var params = new URLSearchParams(window.location.search);
  var props = {
    fetcher: fetcher,
    defaultEditorToolsVisibility: true,
    // The docs explorer is GraphiQL's built-in "Documentation" plugin.
    visiblePlugin: params.get('docs') === '1' ? window.GraphiQL.React.DOC_EXPLORER_PLUGIN : undefined,
  };
  if (params.get('query')) props.query = params.get('query');
  if (params.get('variables')) props.variables = params.get('variables');
  window.ReactDOM.createRoot(root).render(window.React.createElement(window.GraphiQL, props));
})();
