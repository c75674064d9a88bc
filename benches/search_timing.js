// Times the site's search for a few queries (see search_timing.html for how to run it).
(function () {
  'use strict';
  var input = document.getElementById('search-input');
  var status = document.querySelector('.search-status');
  var queries = ['saturation', 'xavier tanh', 'gradient layer', 's', 'in', '0.5', 'σ', '학교', 'zzz'];
  var runs = 50;
  var lines = ['index: ' + window.initbookSearchIndex.docs.length + ' sections, ' +
    window.initbookSearchIndex.terms.length + ' words'];
  queries.forEach(function (query) {
    var times = [];
    for (var i = 0; i < runs; i++) {
      input.value = '';
      input.dispatchEvent(new Event('input'));
      var start = performance.now();
      input.value = query;
      input.dispatchEvent(new Event('input'));
      times.push(performance.now() - start);
    }
    times.sort(function (a, b) { return a - b; });
    lines.push(JSON.stringify(query) + ': median ' + times[runs >> 1].toFixed(2) + ' ms, max ' +
      times[runs - 1].toFixed(2) + ' ms (' + status.textContent + ')');
  });
  document.getElementById('timings').textContent = lines.join('\n');
})();
