// tsc does not copy images: this puts the node and credential icons next to the compiled files in dist/.
const { src, dest } = require('gulp');

function buildIcons() {
	const nodeIcons = src('nodes/**/*.{png,svg}').pipe(dest('dist/nodes'));
	const credentialIcons = src('credentials/**/*.{png,svg}').pipe(dest('dist/credentials'));
	const sharedIcons = src('icons/*.{png,svg}').pipe(dest('dist/icons'));
	return Promise.all([nodeIcons, credentialIcons, sharedIcons].map(streamDone));
}

function streamDone(stream) {
	return new Promise((resolve, reject) => stream.on('finish', resolve).on('error', reject));
}

exports['build:icons'] = buildIcons;
