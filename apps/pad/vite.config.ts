// The PAD kiosk page: `npm run build:pad` builds it into dist/pad, which intake serves at /pad/.
// The service worker (src/sw.ts) is a second entry with a fixed name, so that it can be registered at /pad/sw.js.
import { defineConfig } from 'vite';
import { noInlineScript } from '../../scripts/vite/no-inline-script.ts';

const here = (file: string) => decodeURIComponent(new URL(file, import.meta.url).pathname);

export default defineConfig({
  plugins: [noInlineScript()],
  root: here('.'),
  base: '/pad/',
  define: { __APP_VERSION__: JSON.stringify('1.0.0') },
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  build: {
    outDir: here('../../dist/pad'),
    emptyOutDir: true,
    target: 'es2022',
    rollupOptions: {
      input: { main: here('./index.html'), sw: here('./src/sw.ts') },
      output: { entryFileNames: (chunk) => (chunk.name === 'sw' ? 'sw.js' : 'assets/[name]-[hash].js') },
    },
  },
});
