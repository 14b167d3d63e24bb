// The material of one layer's plane: its 8-bit atlas (one R8 texture) drawn through a colormap, with ~1-pixel
// lines between tiles (fading out when tiles get small on screen), empty grid slots in the panel colour, and
// the hovered and selected tiles outlined. One draw call per layer whatever its channel count.
import * as THREE from 'three';

export type PlaneColormap = 'gray' | 'viridis' | 'inferno';
export const PLANE_COLORMAPS: readonly PlaneColormap[] = ['viridis', 'inferno', 'gray'];

const vertexShader = /* glsl */ `
varying vec2 vUv;
void main() {
  vUv = uv;
  gl_Position = projectionMatrix * modelViewMatrix * vec4(position, 1.0);
}`;

// viridis / inferno: polynomial fits of matplotlib's maps (Matt Zucker, CC0), in sRGB.
const fragmentShader = /* glsl */ `
uniform sampler2D map;
uniform vec2 grid;
uniform float shown;
uniform float hovered;
uniform float selected;
uniform int cmap;
uniform float dim;
uniform float alpha;
uniform vec3 panel;
uniform vec3 line;
uniform vec3 accent;
varying vec2 vUv;

vec3 viridis(float t) {
  const vec3 c0 = vec3(0.2777273272234177, 0.005407344544966578, 0.3340998053353061);
  const vec3 c1 = vec3(0.1050930431085774, 1.404613529898575, 1.384590162594685);
  const vec3 c2 = vec3(-0.3308618287255563, 0.214847559468213, 0.09509516302823659);
  const vec3 c3 = vec3(-4.634230498983486, -5.799100973351585, -19.33244095627987);
  const vec3 c4 = vec3(6.228269936347081, 14.17993336680509, 56.69055260068105);
  const vec3 c5 = vec3(4.776384997670288, -13.74514537774601, -65.35303263337234);
  const vec3 c6 = vec3(-5.435455855934631, 4.645852612178535, 26.3124352495832);
  return c0 + t * (c1 + t * (c2 + t * (c3 + t * (c4 + t * (c5 + t * c6)))));
}
vec3 inferno(float t) {
  const vec3 c0 = vec3(0.0002189403691192265, 0.001651004631001012, -0.01948089843709184);
  const vec3 c1 = vec3(0.1065134194856116, 0.5639564367884091, 3.932712388889277);
  const vec3 c2 = vec3(11.60249308247187, -3.972853965665698, -15.9423941062914);
  const vec3 c3 = vec3(-41.70399613139459, 17.43639888205313, 44.35414519872813);
  const vec3 c4 = vec3(77.162935699427, -33.40235894210092, -81.80730925738993);
  const vec3 c5 = vec3(-71.31942824499214, 32.62606426397723, 73.20951985803202);
  const vec3 c6 = vec3(25.13112622477341, -12.24266895238567, -23.07032500287172);
  return c0 + t * (c1 + t * (c2 + t * (c3 + t * (c4 + t * (c5 + t * c6)))));
}

void main() {
  vec2 uv = vec2(vUv.x, 1.0 - vUv.y); // atlas row 0 is the top row of tiles
  vec2 cell = uv * grid;
  vec2 idx = min(floor(cell), grid - 1.0);
  float c = idx.y * grid.x + idx.x;
  vec2 f = cell - idx;
  vec2 w = fwidth(cell);
  float px = 1.0 / max(max(w.x, w.y), 1e-6); // screen pixels per tile
  vec2 e = min(f, 1.0 - f) / max(w, vec2(1e-6)); // distance to the tile's edge in pixels
  float d = min(e.x, e.y);
  if (c >= shown) {
    gl_FragColor = vec4(panel * (1.0 - dim * 0.3), alpha);
    return;
  }
  float v = texture2D(map, uv).r;
  vec3 col = cmap == 0 ? vec3(v) : cmap == 1 ? viridis(v) : inferno(v);
  float sep = (1.0 - smoothstep(0.35, 0.9, d)) * clamp((px - 5.0) / 10.0, 0.0, 1.0);
  col = mix(col, line, sep * 0.9);
  float ring = max(2.5, px * 0.06);
  if (c == hovered || c == selected) col = mix(col, accent, 1.0 - smoothstep(ring - 0.75, ring + 0.25, d));
  gl_FragColor = vec4(clamp(col, 0.0, 1.0) * (1.0 - dim * 0.45) + panel * dim * 0.45, alpha);
}`;

export const CMAP_INDEX: Record<PlaneColormap, number> = { gray: 0, viridis: 1, inferno: 2 };

/** sRGB components (the shader writes its colours as they are, no colour-space conversion). */
export interface PlaneTheme {
  panel: THREE.Vector3;
  line: THREE.Vector3;
  accent: THREE.Vector3;
}

/** A CSS colour as sRGB components. */
export function srgb(css: string): THREE.Vector3 {
  const c = new THREE.Color();
  c.setStyle(css);
  const o = { r: 0, g: 0, b: 0 };
  c.getRGB(o, THREE.SRGBColorSpace);
  return new THREE.Vector3(o.r, o.g, o.b);
}

export function atlasTexture(bytes: Uint8Array, width: number, height: number): THREE.DataTexture {
  const tex = new THREE.DataTexture(bytes, width, height, THREE.RedFormat, THREE.UnsignedByteType);
  tex.unpackAlignment = 1; // rows of any width
  tex.magFilter = THREE.NearestFilter; // tiles stay sharp up close: one texel, one map position
  tex.minFilter = THREE.LinearMipmapLinearFilter; // and calm from afar
  tex.generateMipmaps = true;
  tex.colorSpace = THREE.NoColorSpace;
  tex.needsUpdate = true;
  return tex;
}

export function planeMaterial(grid: [number, number], shown: number, theme: PlaneTheme, cmap: PlaneColormap): THREE.ShaderMaterial {
  return new THREE.ShaderMaterial({
    vertexShader,
    fragmentShader,
    side: THREE.DoubleSide,
    // Blended so the planes before the focused one can fade to ghosts; drawn back to front by three.js.
    transparent: true,
    uniforms: {
      alpha: { value: 1 },
      map: { value: null },
      grid: { value: new THREE.Vector2(grid[0], grid[1]) },
      shown: { value: shown },
      hovered: { value: -1 },
      selected: { value: -1 },
      cmap: { value: CMAP_INDEX[cmap] },
      dim: { value: 0 },
      panel: { value: theme.panel.clone() },
      line: { value: theme.line.clone() },
      accent: { value: theme.accent.clone() },
    },
  });
}
