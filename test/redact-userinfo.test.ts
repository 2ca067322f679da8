import assert from 'node:assert/strict';
import { redactUserinfo } from '../src/redact-userinfo';
import { describeConnectionError, validateBrokerUrl } from '../src/mqtt/broker-settings';

/**
 * Passwords as people set them on cameras and brokers. Each is built from marker words (QX…) that
 * appear nowhere else in the text, so any marker left in the output is a leaked piece of password.
 */
const NASTY_PASSWORDS = [
  'QXa@QXb',
  'QXa@QXb@QXc',
  'QXa:QXb',
  'QXa/QXb',
  'QXa#QXb',
  'QXa%QXb',
  'QXa%40QXb',
  'QXa QXb',
  'QXa\tQXb',
  'QXaüQXb✓QXc',
  'QXa//QXb@QXc',
  'QXa://QXb',
  'QXa"QXb\'QXc',
  'QXa?QXb=QXc&QXd',
  'QXa@',
  '@QXa',
  ':QXa@@QXb:',
];

const markers = (password: string): string[] => password.match(/QX[a-d]/g) ?? [];

function assertHidden(output: string, password: string, context: string): void {
  for (const marker of markers(password))
    assert.ok(!output.includes(marker), `${JSON.stringify(password)} leaks "${marker}" in ${context}: ${output}`);
}

describe('redactUserinfo', function () {
  it('hides the whole login of a URL, whatever its password holds: the login ends at the last "@"', function () {
    for (const password of NASTY_PASSWORDS) {
      const url = `rtsp://admin:${password}@192.0.2.7:554/stream1`;
      const out = redactUserinfo(url);
      assertHidden(out, password, 'a bare URL');
      assert.equal(out, 'rtsp://***@192.0.2.7:554/stream1', JSON.stringify(password));
    }
  });

  it(
    'hides it in a camera command line (CAMERA_CMD with an rtsp URL), quoted or not, and keeps the rest of the ' +
      'line',
    function () {
      for (const password of NASTY_PASSWORDS) {
        for (const line of [
          `ffmpeg -rtsp_transport tcp -i rtsp://admin:${password}@192.0.2.7:554/stream1 -f mjpeg -q:v 5 -`,
          `ffmpeg -i "rtsp://admin:${password}@192.0.2.7/s" -f mjpeg -`,
          `camera command "ffmpeg -i 'rtsp://admin:${password}@192.0.2.7/s' -f mjpeg -"`,
        ]) {
          const out = redactUserinfo(line);
          assertHidden(out, password, line);
          assert.match(out, /rtsp:\/\/\*\*\*@192\.0\.2\.7.* -f mjpeg/, `${JSON.stringify(password)}: ${out}`);
          assert.ok(out.startsWith(line.slice(0, line.indexOf('rtsp://'))), out);
        }
      }
    },
  );

  it("hides it in a program's error line, in JSON-quoted text, and in each of two URLs on one line", function () {
    for (const password of NASTY_PASSWORDS) {
      const ffmpeg = redactUserinfo(
        `[rtsp @ 0x5581] rtsp://admin:${password}@192.0.2.7:554/stream1: Connection refused`,
      );
      assertHidden(ffmpeg, password, 'an ffmpeg error');
      assert.match(ffmpeg, /^\[rtsp @ 0x5581\] rtsp:\/\/\*\*\*@192\.0\.2\.7:554\/stream1: Connection refused$/);
      const quoted = redactUserinfo(
        `URL must be an http:// or https:// URL, got ${JSON.stringify(`ftp://u:${password}@cam/x`)}`,
      );
      assertHidden(quoted, password, 'a JSON-quoted URL');
      const two = redactUserinfo(`ffmpeg -i rtsp://a:${password}@cam1/s -i rtsp://b:${password}@cam2/s -f mjpeg -`);
      assertHidden(two, password, 'two URLs');
      assert.match(two, /rtsp:\/\/\*\*\*@cam2\/s -f mjpeg -$/, two);
    }
  });

  it('leaves text without a login alone, and takes a line break as the end of a URL', function () {
    assert.equal(redactUserinfo('rtsp://192.0.2.7/stream1: 404 Not Found'), 'rtsp://192.0.2.7/stream1: 404 Not Found');
    assert.equal(redactUserinfo('/dev/video0 busy; see //wiki'), '/dev/video0 busy; see //wiki');
    assert.equal(
      redactUserinfo('rtsp://u:QXa@cam/s refused\nmail root@example.org'),
      'rtsp://***@cam/s refused\nmail root@example.org',
    );
  });
});

describe('redactUserinfo: one redactor for broker URLs too, hiding all either former redactor hid', function () {
  it('hides the whole login of a broker URL in the errors the MQTT room writes', function () {
    for (const password of NASTY_PASSWORDS) {
      const url = `mqtt://me:${password}@broker.lan:1883`;
      assert.equal(redactUserinfo(url), 'mqtt://***@broker.lan:1883', JSON.stringify(password));
      const refused = describeConnectionError(
        Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
        url,
      );
      assertHidden(refused.message, password, 'a connection error');
      assert.match(refused.message, /MQTT broker mqtt:\/\/\*\*\*@broker\.lan:1883/);
    }
    assert.throws(
      () => validateBrokerUrl('mqtt://me:QXa QXb@not a host'),
      (error: Error) => !/QX/.test(error.message) && /mqtt:\/\/\*\*\*@not a host/.test(error.message),
    );
  });

  it('hides a login on every line, and a password that looks like the start of another URL', function () {
    // The camera redactor ended a login where another URL began; the broker one hid up to the line's last "@".
    const quoted = redactUserinfo('ffmpeg -i rtsp://admin:QXa "b://QXc@cam/s -f mjpeg -');
    assertHidden(quoted, 'QXa "b://QXc', 'a password holding a URL start');
    assert.equal(quoted, 'ffmpeg -i rtsp://***@cam/s -f mjpeg -');
    // The broker redactor hid only the first login of a text; each line's is hidden now.
    const lines = redactUserinfo('rtsp://a:QXa@cam1/s failed\nrtsp://b:QXb@cam2/s failed');
    assert.equal(lines, 'rtsp://***@cam1/s failed\nrtsp://***@cam2/s failed');
  });
});
