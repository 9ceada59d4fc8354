// The app serves /health/ready on its own port; loopback callers get the detail.
const port = env.get('PORT') || '1880';
msg.url = 'http://127.0.0.1:' + port + '/health/ready';
msg.requestTimeout = 2000;
return msg;
