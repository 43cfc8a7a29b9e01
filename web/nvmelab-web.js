// nvmelab's page layer: the loading indicator, the Emscripten Module set-up, the JS test API
// (window.nvmelab, documented in the README and docs/web.md), browser storage, state download
// and upload, and the service worker that makes the page work offline once loaded.
// The page fetches only its own files.
(function () {
  'use strict';
  var STORAGE_KEY = 'nvmelab.state';
  var started = performance.now();
  var loading = document.getElementById('loading');
  var loadingText = document.getElementById('loading-text');
  var loadingFill = document.getElementById('loading-fill');
  var canvas = document.getElementById('canvas');
  var isReady = false;

  var resolveReady, rejectReady, resolveBench;
  var ready = new Promise(function (res, rej) { resolveReady = res; rejectReady = rej; });
  var bench = new Promise(function (res) { resolveBench = res; });

  function progress(fraction, text) {
    loadingFill.style.width = Math.round(Math.max(0, Math.min(1, fraction)) * 100) + '%';
    if (text) loadingText.textContent = text;
  }

  function fail(text) {
    loading.classList.add('failed');
    loading.style.display = 'flex';
    loadingText.textContent = 'nvmelab could not start: ' + text;
    rejectReady(new Error(text));
  }

  function readStorage(key) {
    try { return window.localStorage.getItem(key || STORAGE_KEY); } catch (e) { return null; }
  }
  function writeStorage(key, value) {
    try {
      if (value === null) window.localStorage.removeItem(key);
      else window.localStorage.setItem(key, value);
    } catch (e) { /* storage off or full: nothing kept */ }
  }

  // The stored state is untrusted input: the app refuses one past its bounds (docs/web.md,
  // "Save and load"). Should one still stop the app while it is restored, the next start must
  // not try it again, or the page would stay dead: RESTORING_KEY is set while a start with a
  // stored state is under way, and removed once the app is ready.
  var RESTORING_KEY = 'nvmelab.restoring';
  var storedState = readStorage();
  var storedSkipped = '';
  if (storedState && readStorage(RESTORING_KEY)) {
    storedSkipped = 'the page\'s last start with it did not finish (' +
      storedState.length + ' characters kept; State > Forget the state kept in this browser ' +
      'drops it)';
    storedState = null;
    writeStorage(RESTORING_KEY, null);
  } else if (storedState) {
    writeStorage(RESTORING_KEY, String(Date.now()));
  }

  // The smallest module with a `try` block: the app is built with WebAssembly exception
  // handling (-fwasm-exceptions), which a browser without it cannot compile. Checked first,
  // so such a browser is told why instead of "CompileError: invalid opcode".
  var EXCEPTIONS_PROBE = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0,
                                         3, 2, 1, 0, 0x0a, 7, 1, 5, 0, 6, 0x40, 0x0b, 0x0b]);

  // Streams the .wasm so the bar shows real progress, then instantiates it.
  function instantiateWasm(imports, receiveInstance) {
    if (!WebAssembly.validate(EXCEPTIONS_PROBE)) {
      fail('this browser does not support WebAssembly exception handling ' +
           '(Chrome or Edge 95+, Firefox 100+ and Safari 15.2+ do)');
      return {};
    }
    fetch('nvmelab.wasm', { credentials: 'same-origin' }).then(function (resp) {
      if (!resp.ok) throw new Error('nvmelab.wasm: HTTP ' + resp.status);
      var total = Number(resp.headers.get('Content-Length')) || 0;
      if (!resp.body || !resp.body.getReader) return resp.arrayBuffer();
      var reader = resp.body.getReader();
      var chunks = [];
      var received = 0;
      function pump() {
        return reader.read().then(function (r) {
          if (r.done) {
            var all = new Uint8Array(received);
            var at = 0;
            chunks.forEach(function (c) { all.set(c, at); at += c.length; });
            return all.buffer;
          }
          chunks.push(r.value);
          received += r.value.length;
          if (total) progress(0.1 + 0.7 * received / total,
                              'Loading nvmelab... ' + Math.round(received / 1024) + ' KiB');
          return pump();
        });
      }
      return pump();
    }).then(function (bytes) {
      progress(0.85, 'Starting the emulator...');
      return WebAssembly.instantiate(bytes, imports);
    }).then(function (result) {
      receiveInstance(result.instance, result.module);
    }).catch(function (e) {
      fail(String(e && e.message || e));
    });
    return {};
  }

  // The canvas keeps its pixels between frames (preserveDrawingBuffer), so the app redraws only
  // the parts of a frame that changed: on a machine without a GPU covering pixels is most of a
  // frame's cost (docs/web.md, "Frame rate"). Emscripten takes this context instead of making
  // its own (GL_PREINITIALIZED_CONTEXT); without WebGL 2 it is null and the app says so.
  var gl = null;
  try {
    gl = canvas.getContext('webgl2', { alpha: false, depth: false, stencil: false,
                                       antialias: false, preserveDrawingBuffer: true });
  } catch (e) { gl = null; }

  // Emscripten reads this object when nvmelab.js runs.
  window.Module = {
    canvas: canvas,
    preinitializedWebGLContext: gl || undefined,
    arguments: [window.location.search],
    nvmelabStored: storedState,
    nvmelabStoredSkipped: storedSkipped,
    instantiateWasm: instantiateWasm,
    print: function (text) { console.log(text); },
    printErr: function (text) { console.error(text); },
    onAbort: function (what) { fail('the program stopped (' + what + ')'); },
  };
  progress(0.05, 'Loading nvmelab...');

  // A string argument copied into the module's memory, as a pointer to its NUL-terminated
  // UTF-8 (ui/web/web_api.cpp, nvmelab_argument_buffer); ccall's own 'string' type copies it onto
  // the 5 MiB WebAssembly stack, which a 2 MB state file overran, killing the module. Returns
  // {error} past the app's bound.
  var encoder = new TextEncoder();
  function argument(text) {
    var max = Module.ccall('nvmelab_max_argument_bytes', 'number', [], []);
    // Each UTF-16 unit is at least one UTF-8 byte: a huge string is refused before encoding.
    var bytes = text.length > max ? null : encoder.encode(text);
    var size = bytes ? bytes.length : text.length;
    var ptr = size > max ? 0 : Module.ccall('nvmelab_argument_buffer', 'number', ['number'], [size]);
    if (!ptr) {
      return { error: 'the argument is ' + (bytes ? size + ' bytes' : 'at least ' + size + ' bytes') +
               ' of UTF-8, more than the ' + max + ' (' + (max / 1048576) + ' MiB) window.nvmelab takes' };
    }
    Module.HEAPU8.set(bytes, ptr); // read after the call: memory growth replaces HEAPU8
    return { ptr: ptr };
  }

  function call(name, arg) {
    if (!isReady) throw new Error('nvmelab is not ready yet: await window.nvmelab.ready first');
    if (arg === undefined) return Module.ccall(name, 'string', [], []);
    var a = argument(String(arg));
    if (a.error) return JSON.stringify({ ok: false, output: '', error: a.error });
    return Module.ccall(name, 'string', ['number'], [a.ptr]);
  }

  // The test API: drive the app without clicking pixels.
  window.nvmelab = {
    // Resolves once the core runs and the first frame is drawn.
    ready: ready,
    // Runs one console-language line (docs/console.md): {ok, output, error}.
    exec: function (line) { return JSON.parse(call('nvmelab_exec', String(line))); },
    // Registers, queues, namespaces, commands in flight, last completion, workload: an object.
    state: function () { return JSON.parse(call('nvmelab_state')); },
    // The whole device + host state as text (throws when the session is past a state file's
    // bounds), and loading it back: {ok, error}.
    save: function () {
      var text = call('nvmelab_save');
      if (!text) throw new Error('nvmelab: the state cannot be saved: ' + call('nvmelab_save_error'));
      return text;
    },
    load: function (text) {
      return JSON.parse(call('nvmelab_load', typeof text === 'string' ? text : JSON.stringify(text)));
    },
    // Starts the workload generator with these parameters (null stops it): {ok, error}.
    workload: function (params) {
      return JSON.parse(call('nvmelab_workload', JSON.stringify(params === undefined ? null : params)));
    },
    // A link that rebuilds the current state (device properties, console lines, workload).
    shareLink: function () {
      var q = call('nvmelab_share_query');
      return location.origin + location.pathname + (q ? '?' + q : '');
    },
    // Lessons (the lesson window's model): open lesson `id` at `step` (1-based, default 1)
    // with the state it has there; the lesson state ({open, id, step, steps, title,
    // your_turn, done, failures, at_end, highlights, error, course: [{id, title, steps,
    // steps_done, completed}]}); the window's buttons.
    lesson: function (id, step) {
      if (!isReady) throw new Error('nvmelab is not ready yet: await window.nvmelab.ready first');
      var a = argument(String(id));
      if (a.error) return { ok: false, error: a.error };
      return JSON.parse(Module.ccall('nvmelab_lesson_open', 'string', ['number', 'number'],
                                     [a.ptr, step === undefined ? 1 : Number(step)]));
    },
    lessonState: function () { return JSON.parse(call('nvmelab_lesson_state')); },
    lessonNext: function () { return JSON.parse(call('nvmelab_lesson_do', 'next')); },
    lessonBack: function () { return JSON.parse(call('nvmelab_lesson_do', 'back')); },
    lessonSolve: function () { return JSON.parse(call('nvmelab_lesson_do', 'solve')); },
    lessonHint: function () { return JSON.parse(call('nvmelab_lesson_do', 'hint')); },
    lessonClose: function () { return JSON.parse(call('nvmelab_lesson_do', 'close')); },
    // Line-by-line play: restart the step with its lines pending ('play'), run the next line
    // ('line') or the rest ('rest'); the lesson state has pending_lines and pause_note.
    lessonPlay: function () { return JSON.parse(call('nvmelab_lesson_do', 'play')); },
    lessonLine: function () { return JSON.parse(call('nvmelab_lesson_do', 'line')); },
    lessonRest: function () { return JSON.parse(call('nvmelab_lesson_do', 'rest')); },
    // What the last frame showed (issue 21): {display, items: [{window, name, rect, visible,
    // inside}], code_lines: [{text, width, right, panel_right, wrapped, fits}]}; rects are
    // [x0, y0, x1, y1] in canvas pixels.
    lessonLayout: function () { return JSON.parse(call('nvmelab_lesson_layout')); },
    // The lesson progress kept in this browser (localStorage 'nvmelab.progress'), or null.
    lessonProgress: function () {
      try { return JSON.parse(window.localStorage.getItem('nvmelab.progress')); } catch (e) { return null; }
    },
    // Draws the whole next frame (the app otherwise redraws only what changed) and says how
    // frames were drawn so far: {partial_redraw, frames_drawn, frames_drawn_in_part}.
    redraw: function () { return JSON.parse(call('nvmelab_redraw')); },
    // With ?bench=1: resolves with the measured frame rate and frame-time percentiles.
    bench: bench,
    // Milliseconds from the page's start to the first frame (set when ready).
    timing: {},
  };

  function download(name, blob) {
    var a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }

  // Called by the app (ui/web/web_api.cpp, ui/windows/state_menu.cpp, ui/app.cpp).
  window.nvmelabUi = {
    onReady: function () {
      isReady = true;
      writeStorage(RESTORING_KEY, null); // the stored state (if any) did not stop the start
      window.nvmelab.timing.readyMs = performance.now() - started;
      window.nvmelab.timing.sincePageStartMs = performance.now();
      loading.style.display = 'none';
      canvas.focus();
      resolveReady();
    },
    onBench: function (json) { resolveBench(JSON.parse(json)); },
    store: function (text) {
      try {
        window.localStorage.setItem(STORAGE_KEY, text);
      } catch (e) {
        console.warn('nvmelab: the state is too large for browser storage (' + e.name + ')');
      }
    },
    forgetStorage: function () {
      try { window.localStorage.removeItem(STORAGE_KEY); } catch (e) { /* nothing kept */ }
      Module.ccall('nvmelab_set_autosave', null, ['number'], [0]);
    },
    downloadState: function () {
      var text;
      try { text = window.nvmelab.save(); } catch (e) { console.warn(e.message); return; }
      download('nvmelab-state.json', new Blob([text], { type: 'application/json' }));
    },
    uploadState: function () {
      var input = document.createElement('input');
      input.type = 'file';
      input.accept = '.json,application/json';
      input.onchange = function () {
        if (!input.files || !input.files[0]) return;
        var max = Module.ccall('nvmelab_max_argument_bytes', 'number', [], []);
        if (input.files[0].size > max) { // not read at all: load() would refuse it
          console.warn('nvmelab: loading the state failed: the file is ' + input.files[0].size +
                       ' bytes, more than the ' + max + ' the app reads');
          return;
        }
        input.files[0].text().then(function (text) {
          var r = window.nvmelab.load(text);
          if (!r.ok) console.warn('nvmelab: loading the state failed: ' + r.error);
        });
      };
      input.click();
    },
    copyLink: function () {
      var link = window.nvmelab.shareLink();
      window.nvmelab.exec('echo "link: ' + link.replace(/"/g, '%22') + '"');
      if (navigator.clipboard) navigator.clipboard.writeText(link).catch(function () {});
    },
    screenshot: function (name) {
      canvas.toBlob(function (blob) { if (blob) download(name, blob); }, 'image/png');
    },
  };

  window.addEventListener('error', function (e) {
    if (!isReady) fail(String(e.message || e));
  });

  // Offline once loaded: the service worker keeps every file of the site (web/sw.js).
  if ('serviceWorker' in navigator && window.isSecureContext) {
    window.addEventListener('load', function () {
      navigator.serviceWorker.register('sw.js').catch(function (e) {
        console.warn('nvmelab: no offline copy (' + e.message + ')');
      });
    });
  }
})();
