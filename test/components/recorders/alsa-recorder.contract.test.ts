/**
 * @module AlsaRecorder runs the Recorder contract on the fake microphone (an ALSA `file` PCM
 * through real libasound): once opening the device for each file, once in continuous mode where
 * the stream stays open between files, and once in stereo.
 */
import { join } from "node:path";
import { AlsaRecorder } from "../../../src/components/recorders/alsa-recorder.ts";
import { recorderContract, type RecorderUnderTest } from "../../contracts/recorder.contract.ts";
import { createFakeMic, testSignal } from "../../helpers/fake-mic.ts";

function alsaRecorderOnFakeMic(options: { samplerate: number; channels: number; duration: number; continuous: boolean }) {
  return async (): Promise<RecorderUnderTest> => {
    const mic = await createFakeMic(testSignal(options.samplerate * 10, options.channels));
    const tmpDir = join(mic.dir, "tmp");
    const recorder = new AlsaRecorder(
      {
        microphone: { device_name: mic.device, samplerate: options.samplerate, audio_channels: options.channels, time_expansion: 1 },
        duration: options.duration,
        tmpDir,
        deviceId: "contract-device",
        firmwareVersion: "0.0.0",
        continuous: options.continuous,
      },
      { alsaConfig: mic.configText },
    );
    return { recorder, tmpDir, samplerate: options.samplerate, channels: options.channels, duration: options.duration, cleanup: mic.cleanup };
  };
}

recorderContract("AlsaRecorder opening the device per file", alsaRecorderOnFakeMic({ samplerate: 16000, channels: 1, duration: 0.5, continuous: false }));
recorderContract("AlsaRecorder in continuous mode", alsaRecorderOnFakeMic({ samplerate: 48000, channels: 1, duration: 0.25, continuous: true }));
recorderContract("AlsaRecorder in stereo", alsaRecorderOnFakeMic({ samplerate: 22050, channels: 2, duration: 0.3, continuous: false }));
