// Tailwind CSS v4 runs at build time only, as a PostCSS plugin: the browser gets one compiled stylesheet, no script.
export default {
  plugins: { '@tailwindcss/postcss': {} },
}
