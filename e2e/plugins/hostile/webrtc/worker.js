/* global wire -- defined by hostile/wire.js, which packaging puts before this script */
/*
 * Tries WebRTC, the one channel CSP does not close: a peer connection gathering candidates
 * from the UDP listener as its STUN server. In a worker the API does not exist. WebTransport,
 * also UDP (QUIC), is aimed at the same port; connect-src covers it.
 */
(async () => {
  const peerConnection = async () => {
    const connection = new RTCPeerConnection({ iceServers: [{ urls: '__STUN__' }] });
    connection.createDataChannel('leak');
    await connection.setLocalDescription(await connection.createOffer());
    return 'offer set';
  };
  const udpPort = '__STUN__'.split(':').pop();
  const transport = async () => {
    const session = new WebTransport(`https://127.0.0.1:${udpPort}/leak`);
    await Promise.race([session.ready, wire.timeout(3000)]);
    return 'ready';
  };
  const results = {
    RTCPeerConnection: wire.globalType('RTCPeerConnection'),
    webkitRTCPeerConnection: wire.globalType('webkitRTCPeerConnection'),
    // Chromium exposes the class in workers (for transferred channels), but it cannot be made.
    dataChannel: await wire.attempt(() => new RTCDataChannel()),
    peerConnection: await wire.attempt(peerConnection),
    webTransport: typeof WebTransport === 'undefined' ? 'undefined' : await wire.attempt(transport),
  };
  await wire.report('WebRTC', results);
})();
