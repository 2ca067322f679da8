/** A file whose public bytes are known: its exact size and sha256. */
export interface PinnedFile {
  bytes: number;
  sha256: string;
}

/**
 * Size and sha256 of every public file of the Keras-converted MobileNet V1 0.25 224 layers model at
 * https://storage.googleapis.com/tfjs-models/tfjs/mobilenet_v1_0.25_224/. Computed from a byte copy
 * of those files (kylecorry31/ML4K-AI-Extension commit da02a755, release/com.kylecorry.ml4k/assets/,
 * fetched unchanged from that bucket by the repository's downloadtfjs.sh), so a download whose bytes
 * differ from what Google published is rejected, and one that grows past its size is cut off there.
 */
export const MOBILENET_V1_025_224_LAYERS_FILES: Readonly<Record<string, PinnedFile>> = {
  'model.json': { bytes: 54134, sha256: 'd14c680e069d74143e3771c291cf3fd153ee88b6ea9ee44bfaf84e2008ded44e' },
  'group1-shard1of1': { bytes: 864, sha256: 'edabf35aefbb81c92764cbfff6319c77376bfc36febff8fcda7af703d2b2d6aa' },
  'group2-shard1of1': { bytes: 128, sha256: '2c1e2fdf2b434592a87f2473ee63eaadec9b9992274bf894bf9022aa62a4b295' },
  'group3-shard1of1': { bytes: 288, sha256: '5c6dc065b191c2d25817b1363962b3750b10f12d1da45503d4f2b35f63828b44' },
  'group4-shard1of1': { bytes: 4608, sha256: '6d0bdad897777f9eff6645374b533887cc446ebbb775ee9c4fb6ba3651c39be8' },
  'group5-shard1of1': { bytes: 2048, sha256: 'b0d70f6c3943ff882969ee42494650cbad05b6358ae4dd7fb767052e2c8d61a9' },
  'group6-shard1of1': { bytes: 4608, sha256: 'b1670b847b867f3375c5c28182f8dc7ec4cd5227e8a288e63c205057b4bcae06' },
  'group7-shard1of1': { bytes: 2048, sha256: '9449cf689bf0c590b8637e2d85cd66121af6e24ef23e327e1e9616e33c943ccf' },
  'group8-shard1of1': { bytes: 4608, sha256: 'ff90f4c898656ab72f1b22c661527d33ea24c277e0ec41a694b796bc70bbef62' },
  'group9-shard1of1': { bytes: 2048, sha256: '619417b59fbc5c8b19c0103a1356d8c6cc2edbbacae04d61bd66d568ca44ca10' },
  'group10-shard1of1': { bytes: 9216, sha256: '56e538501e0a023c76eef09155492d06ac9b6c23e1ff740ce41b82b3c31d6e94' },
  'group11-shard1of1': { bytes: 4096, sha256: '5f089a0979fa68b7637bf26c51e866b6e08d2bad72e1a3e10dec081d551133e2' },
  'group12-shard1of1': { bytes: 128, sha256: '47b68d00ca57c0b6e39fb9d39e4eb7dabf0b99ec38c49bc45e1397cea329fe46' },
  'group13-shard1of1': { bytes: 576, sha256: '7b7c74cb5c301312a7c62c9eeb4fdc8c5c57880f58268c32c1060bae7452a93a' },
  'group14-shard1of1': { bytes: 256, sha256: '1403fb88a00a1ee465631c6fdb8eec0d532a7b4d9e946f03ae6848304bf41082' },
  'group15-shard1of1': { bytes: 1152, sha256: '31fc5c67b4f0f32a86069c90f5098988fb4b6b9d6e837cde9318bf82c6ace283' },
  'group16-shard1of1': { bytes: 512, sha256: '45befac068de20c8d151a3cba9f7d09a0d4e0fd23e786a78615a98eb0800b1a5' },
  'group17-shard1of1': { bytes: 1152, sha256: '268bfbd17bd9333c3867de58d15c359f8211111b47130361fc078ad85c838c17' },
  'group18-shard1of1': { bytes: 512, sha256: 'fd6b29d8b2c4b14cb68b23c5b065c98cb5bf5b1bb591823fabbbf59a5699dcb3' },
  'group19-shard1of1': { bytes: 2304, sha256: '65f3ba8b805628857d9305ddec4b07b2ba3c578a7740d10791384a3ff5574ad1' },
  'group20-shard1of1': { bytes: 1024, sha256: '7050469756997f7f39f29123924e4d570740c865b9778102b4b5e860a60d2445' },
  'group21-shard1of1': { bytes: 2304, sha256: 'b7ac12c0857e6de96b0973df3f68bfe0d49a24f2408c120fe698e4b892bf00cc' },
  'group22-shard1of1': { bytes: 1024, sha256: '5206911ca627537095d3b4f6389df6d3d6397a7faee336e67215b71a691c8ae9' },
  'group23-shard1of1': { bytes: 4608, sha256: '67a89784137ea9720e6c5ee9d70113933e087100f3f0df3eebefda9dc11c72a3' },
  'group24-shard1of1': { bytes: 2048, sha256: 'c6fec2526a167ae899ad6bc96a27a4e525ef5e94da0c23a37465ecae266afd4d' },
  'group25-shard1of1': { bytes: 4608, sha256: '8dd9917bfc71ffec7d2f9b8a74a47b59fbc1f7d03e18c1a7996fb64cca244cb7' },
  'group26-shard1of1': { bytes: 2048, sha256: '93fd2a5988cb4578cf6ccb7f65eaf838621307923b726f4d34a9a69c82aa7835' },
  'group27-shard1of1': { bytes: 4608, sha256: '71a4b8f17edb37acb78b0acd6d666f247fbd41588528f84c74514054274f91bb' },
  'group28-shard1of1': { bytes: 2048, sha256: '88a53e2fe1d619390a3783149161113d6c792262133bd07d2a7ee0f0c8176e00' },
  'group29-shard1of1': { bytes: 1028000, sha256: 'f047ff48ce2829fd9c10bbae13c9443d77d2450c3373b47ca3f8b837f0012789' },
  'group30-shard1of1': { bytes: 512, sha256: '165a39308c2b2db017e4e1c70d70014da8e7b2057d214a92b87ccd0aa8ecb8da' },
  'group31-shard1of1': { bytes: 65536, sha256: 'be3ae0501d536d6b8ebc9848b978062772dff56591473a3d593cdd23bad8557b' },
  'group32-shard1of1': { bytes: 2048, sha256: '6bab02eafbdb5743a75b8a18f4676f0206b9b2ddfe58bb752b3624fef4570bee' },
  'group33-shard1of1': { bytes: 65536, sha256: '53adf89e30f46c58b4f2d692e3f74901346e0d9220abd42910069aa04b8a2ec6' },
  'group34-shard1of1': { bytes: 2048, sha256: '1f43e3baf5e0c002b161da703a15c05f331e6369da2ec24d9427365052e8ea02' },
  'group35-shard1of1': { bytes: 131072, sha256: '1277abc3755440b0589d7c19630c48ff996c7ed64cfdf29c9dfcc539db5788ea' },
  'group36-shard1of1': { bytes: 4096, sha256: 'fa47f3541eea153174b3159d5fe2d376de467a49925870fea3804f31253ca227' },
  'group37-shard1of1': { bytes: 262144, sha256: '00ede3172b77a23b95371ea79f0480b6a46c296c3c875732beeb213278223c4e' },
  'group38-shard1of1': { bytes: 4096, sha256: 'f9cda80d267ab6ef2c657afed93c1f0342db0a14c8c61ee8036dcd6ba04cf526' },
  'group39-shard1of1': { bytes: 256, sha256: '0a9369be8b5dfb7f25eb782ca9d57bcf5c6018a60c5789975b7c802d2e9a8033' },
  'group40-shard1of1': { bytes: 2048, sha256: 'e29621b35ebb0a35d22a11ae5b1bb070c0526577bd92ed9c2cbf0a63f055b4e1' },
  'group41-shard1of1': { bytes: 512, sha256: 'ac7417eb2b88016e6aed832a0cb61369e6457a7bbfef1167c22e49e00cf2a315' },
  'group42-shard1of1': { bytes: 4096, sha256: '7c292473c55e234091f8d99422743779a5a9e8f91d49c90ef9a77432290299d4' },
  'group43-shard1of1': { bytes: 512, sha256: '74ec361a7398c2510727c6a513f6e79a407aa5332f8a1b2b8c992b445a108c98' },
  'group44-shard1of1': { bytes: 8192, sha256: 'ea7b1678a5eecbbec96a7aacb5577f54df43f71be8ee2480b5942e717488f6de' },
  'group45-shard1of1': { bytes: 1024, sha256: '56f8ed19d60e630e7a528adc90bc7215991c42606435be271ba2e1301317f353' },
  'group46-shard1of1': { bytes: 16384, sha256: '32124cabcfdc5859466b6af656c8467fb4a48bdaac6382ab5b5db015565a09b4' },
  'group47-shard1of1': { bytes: 1024, sha256: '34fa5b0e22b0d998a9fe503fb921cf947c1f163d4b70017801cb6e900b1ab6d5' },
  'group48-shard1of1': { bytes: 32768, sha256: 'b2be37c058ad99a6bd51ca54884b3dfe278b33e5372d470ba8f4a8859139fb7d' },
  'group49-shard1of1': { bytes: 2048, sha256: '59fa80185c94b52f85592b65de71563a8acca6ed5cb94c4ae8f2a02ec97e808c' },
  'group50-shard1of1': { bytes: 65536, sha256: '530f049c43b9f31f2e4aa2663723a5090cdec42f243833f348acb400a386311c' },
  'group51-shard1of1': { bytes: 2048, sha256: '1d202ecdbb7d48aa152ccb8cc34b24812f774038802f80a3e8889b3ab3b48599' },
  'group52-shard1of1': { bytes: 65536, sha256: 'ce01c0edb4584d50dddaf7d0deba4ab156b43176c8810a92b21ab0b239cecfba' },
  'group53-shard1of1': { bytes: 2048, sha256: '6cca55e52e39b97b87d67a21180fba53e51d3e2cdbb157ebfa09530836119364' },
  'group54-shard1of1': { bytes: 65536, sha256: '63f0914ba3f4cd773e2b4eae2235ab43cb325b1ab21f1dc7325160b5b6aa0f3b' },
  'group55-shard1of1': { bytes: 2048, sha256: 'a762f7d6c962f43b16e8ef3fede568eac7f6fb2941af14cb25ef9a211e50f704' },
};

/**
 * The quantised TFLite files of google-coral/test_data at commit 104342d2 (Apache-2.0), byte for
 * byte the same as the test fixtures.
 */
export const CORAL_TFLITE_FILES: Readonly<Record<string, PinnedFile>> = {
  'mobilenet_v1_0.25_128_quant.tflite': {
    bytes: 525598,
    sha256: 'cb273c23ee76374b05b9583177e28aa19744858a7679c56a250e83d0333da785',
  },
  'mobilenet_v2_1.0_224_quant.tflite': {
    bytes: 3610798,
    sha256: '7aad0c74c5e3c06e5eb3c827e13304fdd68a83da6087d92ee169c24ff9fd4776',
  },
};
