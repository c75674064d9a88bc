// The in-page half of the browser tests' reader checks (tests/browser/reader_checks.rs).
// Evaluated in each opened page as one expression; each function returns plain JSON, and every
// check returns a list of findings, one sentence each, empty when the page is fine.
({
  // A short, stable name for an element in a finding: `p.note in #sigmoid-std1`.
  describe(element) {
    let name = element.tagName.toLowerCase();
    if (element.id) name += `#${element.id}`;
    else if (element.classList.length) name += `.${[...element.classList].join('.')}`;
    const owner = element.parentElement && element.parentElement.closest('[id]');
    if (!element.id && owner) name += ` in #${owner.id}`;
    return name;
  },

  // What other pages need to know about this one: its language, its ids, its links.
  inventory() {
    const ids = [...document.querySelectorAll('[id]')].map((e) => e.id);
    const names = [...document.querySelectorAll('a[name]')].map((a) => a.getAttribute('name'));
    const links = [...document.querySelectorAll('a[href], area[href]')].map((a) => ({
      href: a.getAttribute('href'),
      url: new URL(a.getAttribute('href'), document.baseURI).href,
      from: this.describe(a),
    }));
    return { lang: document.documentElement.getAttribute('lang') || '', ids: ids.concat(names), links };
  },

  // Every picture says what it shows: <img> has alt text, every inline SVG has a title (or an
  // aria-label) and role="img" so that title is announced. Hidden decoration is exempt.
  missingAlternatives() {
    const findings = [];
    const hidden = (e) => e.closest('[aria-hidden="true"]') !== null;
    for (const img of document.querySelectorAll('img, input[type="image"]')) {
      if (hidden(img) || ['presentation', 'none'].includes(img.getAttribute('role'))) continue;
      const alt = img.getAttribute('alt');
      if (alt === null || alt.trim() === '') {
        findings.push(`${this.describe(img)} (src="${img.getAttribute('src')}") has no alt text`);
      }
    }
    for (const svg of document.querySelectorAll('svg')) {
      if ((svg.parentElement && svg.parentElement.closest('svg')) || hidden(svg)) continue;
      const labelledBy = (svg.getAttribute('aria-labelledby') || '')
        .split(/\s+/)
        .filter(Boolean)
        .map((id) => document.getElementById(id))
        .filter(Boolean)
        .map((e) => e.textContent.trim())
        .join(' ');
      const title = svg.querySelector(':scope > title');
      const name = (svg.getAttribute('aria-label') || '').trim() || labelledBy.trim() ||
        (title ? title.textContent.trim() : '');
      if (!name) {
        findings.push(`${this.describe(svg)} has no <title> or aria-label`);
      } else if (svg.getAttribute('role') !== 'img') {
        findings.push(`${this.describe(svg)} has a title but no role="img", so it is not announced as a picture`);
      }
    }
    return findings;
  },

  // The same id twice makes a link's target ambiguous.
  duplicateIds() {
    const counts = new Map();
    for (const e of document.querySelectorAll('[id]')) counts.set(e.id, (counts.get(e.id) || 0) + 1);
    return [...counts].filter(([, n]) => n > 1).map(([id, n]) => `id "${id}" is used ${n} times`);
  },

  // Neither the page nor its text column scrolls sideways. Wide figures and tables may scroll
  // inside their own box (an ancestor with overflow-x other than visible), which is fine.
  overflow() {
    const findings = [];
    const root = document.scrollingElement || document.documentElement;
    const main = document.querySelector('main');
    if (root.scrollWidth > root.clientWidth + 1) {
      findings.push(`the page scrolls sideways: ${root.scrollWidth}px of content in a ${root.clientWidth}px window`);
    }
    if (!main) {
      findings.push('the page has no <main> text column');
      return findings;
    }
    if (main.scrollWidth > main.clientWidth + 1) {
      findings.push(`the text column scrolls sideways: ${main.scrollWidth}px of content in ${main.clientWidth}px`);
    }
    if (findings.length === 0) return findings;
    // Name the culprits: the outermost elements sticking out that no scroll box contains.
    const mainRight = main.getBoundingClientRect().right;
    const inScrollBox = (e) => {
      for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
        if (getComputedStyle(a).overflowX !== 'visible') return true;
      }
      return false;
    };
    const sticksOut = (e) => {
      const right = e.getBoundingClientRect().right;
      return right > root.clientWidth + 1 || (main.contains(e) && right > mainRight + 1);
    };
    const culprits = [...document.body.querySelectorAll('*')].filter(
      (e) => sticksOut(e) && !inScrollBox(e) && !(e.parentElement && sticksOut(e.parentElement)),
    );
    for (const e of culprits.slice(0, 8)) {
      const r = e.getBoundingClientRect();
      findings.push(`${this.describe(e)} reaches ${Math.round(r.right)}px (from ${Math.round(r.left)}px)`);
    }
    return findings;
  },

  // Figure text a reader can read: within one SVG figure no two <text> elements overlap (their
  // boxes as laid out here intersect by more than `tolerance` px both ways), and none sticks out
  // of the figure's view box. Hidden figures (nothing laid out) are skipped.
  figureText(tolerance) {
    const findings = [];
    const round = (v) => Math.round(v * 10) / 10;
    for (const svg of document.querySelectorAll('svg')) {
      if (svg.parentElement && svg.parentElement.closest('svg')) continue;
      const outer = svg.getBoundingClientRect();
      if (outer.width === 0 || outer.height === 0) continue;
      const name = svg.id ? `#${svg.id}` : this.describe(svg);
      // The view box in the page's coordinates (the figure is scaled to the text column).
      const box = svg.viewBox.baseVal;
      const matrix = svg.getScreenCTM();
      let view = outer;
      if (box && box.width > 0 && matrix) {
        const at = (x, y) => new DOMPoint(x, y).matrixTransform(matrix);
        const [a, b] = [at(box.x, box.y), at(box.x + box.width, box.y + box.height)];
        view = { left: Math.min(a.x, b.x), right: Math.max(a.x, b.x), top: Math.min(a.y, b.y), bottom: Math.max(a.y, b.y) };
      }
      const texts = [...svg.querySelectorAll('text')]
        .filter((t) => t.textContent.trim() !== '')
        .map((t) => ({ text: t.textContent.trim().replace(/\s+/g, ' '), r: t.getBoundingClientRect() }))
        .filter((t) => t.r.width > 0 || t.r.height > 0);
      for (const t of texts) {
        const out = Math.max(view.left - t.r.left, t.r.right - view.right, view.top - t.r.top, t.r.bottom - view.bottom);
        if (out > tolerance) findings.push(`${name}: "${t.text}" sticks out of the figure by ${round(out)}px`);
      }
      for (let i = 0; i < texts.length; i++) {
        for (let j = i + 1; j < texts.length; j++) {
          const [a, b] = [texts[i].r, texts[j].r];
          const across = Math.min(a.right, b.right) - Math.max(a.left, b.left);
          const down = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
          if (across > tolerance && down > tolerance) {
            findings.push(`${name}: "${texts[i].text}" and "${texts[j].text}" overlap by ${round(across)} × ${round(down)}px`);
          }
        }
      }
    }
    return findings;
  },

  // No table or paragraph is wider than the text column it stands in: its content (scrollWidth,
  // which counts what a scroll box hides) fits the column's content box. Closed <details> are
  // opened while measuring, so their paragraphs count too.
  wideBlocks(tolerance) {
    const findings = [];
    const main = document.querySelector('main');
    if (!main) return ['the page has no <main> text column'];
    const closed = [...main.querySelectorAll('details:not([open])')];
    for (const d of closed) d.open = true;
    for (const element of main.querySelectorAll('table, p')) {
      let column = element.parentElement;
      while (column && column.parentElement !== main) column = column.parentElement;
      if (!column) column = main;
      const style = getComputedStyle(column);
      const width = column.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      const used = Math.max(element.scrollWidth, element.getBoundingClientRect().width);
      if (element.getClientRects().length > 0 && used > width + tolerance) {
        const text = element.textContent.trim().replace(/\s+/g, ' ').slice(0, 40);
        findings.push(`${this.describe(element)} "${text}" is ${Math.round(used)}px wide in a ${Math.round(width)}px text column`);
      }
    }
    for (const d of closed) d.open = false;
    return findings;
  },

  // WCAG contrast of every visible piece of text against what is behind it. HTML text is
  // measured against the composited backgrounds of its ancestors; SVG text against the
  // figure's own background (its full-size first <rect>), else the page behind the figure.
  contrast(minimum) {
    const parse = (text) => {
      const m = /^rgba?\(([^)]*)\)$/.exec(text.trim());
      if (!m) return null;
      const v = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
      return { r: v[0], g: v[1], b: v[2], a: v.length > 3 ? v[3] : 1 };
    };
    const over = (top, bottom) => ({
      r: top.r * top.a + bottom.r * (1 - top.a),
      g: top.g * top.a + bottom.g * (1 - top.a),
      b: top.b * top.a + bottom.b * (1 - top.a),
      a: 1,
    });
    const luminance = (c) => {
      const channel = (v) => {
        const s = v / 255;
        return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
    };
    const ratio = (a, b) => {
      const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
      return (hi + 0.05) / (lo + 0.05);
    };
    const show = (c) => `rgb(${Math.round(c.r)}, ${Math.round(c.g)}, ${Math.round(c.b)})`;
    const unparsed = [];
    const backgroundOf = (element) => {
      const layers = [];
      for (let e = element; e; e = e.parentElement) {
        const style = getComputedStyle(e);
        if (style.backgroundImage !== 'none') unparsed.push(`${this.describe(e)} has a background image`);
        const colour = parse(style.backgroundColor);
        if (colour === null) unparsed.push(`${this.describe(e)}: background ${style.backgroundColor}`);
        else if (colour.a > 0) layers.push(colour);
        if (colour && colour.a >= 1) break;
      }
      // Nothing opaque behind: the browser's white canvas.
      return layers.reverse().reduce((below, layer) => over(layer, below), { r: 255, g: 255, b: 255, a: 1 });
    };
    const svgBackground = (svg) => {
      const box = svg.viewBox.baseVal;
      const first = svg.querySelector(':scope > rect');
      if (first && box && box.width > 0) {
        const full = first.width.baseVal.value >= box.width * 0.99 && first.height.baseVal.value >= box.height * 0.99;
        const fill = parse(getComputedStyle(first).fill);
        if (full && fill && fill.a > 0) return over(fill, backgroundOf(svg));
      }
      return backgroundOf(svg);
    };
    const findings = [];
    const seen = new Set();
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const element = node.parentElement;
      if (!element || seen.has(element) || node.textContent.trim() === '') continue;
      seen.add(element);
      if (element.closest('script, style, title, desc, [aria-hidden="true"]')) continue;
      if (!element.checkVisibility({ opacityProperty: true, visibilityProperty: true })) continue;
      const rect = element.getBoundingClientRect();
      if (rect.width === 0 || rect.height === 0 || rect.right < 0 || rect.bottom < -window.scrollY) continue;
      const style = getComputedStyle(element);
      const svg = element.closest('svg');
      const colourText = svg ? style.fill : style.color;
      let colour = parse(colourText);
      if (colour === null) {
        unparsed.push(`${this.describe(element)}: text colour ${colourText}`);
        continue;
      }
      const background = svg ? svgBackground(svg) : backgroundOf(element);
      colour = over(colour, background);
      const r = ratio(colour, background);
      if (r < minimum) {
        const text = node.textContent.trim().replace(/\s+/g, ' ').slice(0, 40);
        findings.push(`${this.describe(element)} "${text}": ${r.toFixed(2)}:1 (${show(colour)} on ${show(background)})`);
      }
    }
    return findings.concat([...new Set(unparsed)].map((u) => `cannot measure contrast: ${u}`));
  },
})
