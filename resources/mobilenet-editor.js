/**
 * What the five mobilenet editor dialogs share, kept once. Node-RED serves this package's resources/
 * folder at resources/node-red-contrib-mobilenet-mqtt/; each node's .html names this file in a
 * <script src> and the editor runs it before that node's own script.
 */
(function (global) {
  // biome-ignore lint/suspicious/noRedundantUseStrict: the editor loads this as a classic script, not a module
  'use strict';

  /** Whole number ≥ 1 (queue size, top K). */
  function isWhole(v) {
    return /^\d+$/.test(String(v)) && Number(v) >= 1;
  }

  /** Whole number ≥ 0 (frames, queue lengths). */
  function isCount(v) {
    return /^\d+$/.test(String(v));
  }

  /** A number from 0 to 1 (thresholds). */
  function isFraction(v) {
    return v !== '' && !Number.isNaN(Number(v)) && Number(v) >= 0 && Number(v) <= 1;
  }

  function oneOf(list) {
    return function (v) {
      return list.indexOf(v) !== -1;
    };
  }

  /** Empty (the runtime's default) or a number ≥ min. */
  function isNumberAtLeast(min) {
    return function (v) {
      return v === '' || v === undefined || (!Number.isNaN(Number(v)) && Number(v) >= min);
    };
  }

  /** Empty (the runtime's default) or a number from min to max. */
  function isNumberFromTo(min, max) {
    return function (v) {
      return v === '' || v === undefined || (!Number.isNaN(Number(v)) && Number(v) >= min && Number(v) <= max);
    };
  }

  // A property missing from an imported or generated flow means the runtime's default, which each
  // node's defaults match; only a value that is present can be wrong.
  function orMissing(check) {
    return function (v) {
      return v === undefined || check.call(this, v);
    };
  }

  /** Shows the runtime's default in each field whose property the node does not have. */
  function showRuntimeDefaults(node) {
    var prefix = node._def.category === 'config' ? '#node-config-input-' : '#node-input-';
    $.each(node._def.defaults, function (key, def) {
      var input = $(prefix + key);
      if (node[key] !== undefined || def.type || def.required || !input.length) return;
      if (input.attr('type') === 'checkbox') input.prop('checked', def.value === true);
      else input.val(def.value);
    });
  }

  global.MobilenetEditor = {
    isWhole: isWhole,
    isCount: isCount,
    isFraction: isFraction,
    oneOf: oneOf,
    isNumberAtLeast: isNumberAtLeast,
    isNumberFromTo: isNumberFromTo,
    orMissing: orMissing,
    showRuntimeDefaults: showRuntimeDefaults,
  };
})(typeof window !== 'undefined' ? window : globalThis);
