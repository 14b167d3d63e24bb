// The points as instanced sprites: one quad, instanced once per image, per atlas page (10,000 thumbnails are
// three draw calls). Each instance carries its position, its cell in the atlas, a tint and a selected flag; the
// vertex shader turns the quad to face the camera, the fragment shader shows the thumbnail inside a frame of the
// tint (folder, predicted class or confidence), or a round dot of the tint. Colours are sRGB in and out.
import * as THREE from 'three';

const vertexShader = /* glsl */ `
  attribute vec3 offset;
  attribute vec2 cell;
  attribute vec3 tint;
  attribute float chosen;
  uniform float size;
  uniform vec2 cellSize;
  varying vec2 vUv;
  varying vec2 vLocal;
  varying vec3 vTint;
  varying float vChosen;
  void main() {
    vec4 mv = modelViewMatrix * vec4(offset, 1.0);
    mv.xy += position.xy * size;
    gl_Position = projectionMatrix * mv;
    vLocal = position.xy + 0.5;
    // Half a texel in from the cell's edge, so neighbouring thumbnails never bleed in.
    vec2 inset = cellSize * (0.5 / 64.0);
    vUv = cell + inset + vLocal * (cellSize - 2.0 * inset);
    vTint = tint;
    vChosen = chosen;
  }
`;

const fragmentShader = /* glsl */ `
  uniform sampler2D map;
  uniform float dots;
  uniform float frame;
  uniform float anySelected;
  uniform vec3 accent;
  uniform vec3 background;
  varying vec2 vUv;
  varying vec2 vLocal;
  varying vec3 vTint;
  varying float vChosen;
  void main() {
    vec3 c;
    if (dots > 0.5) {
      float r = length(vLocal - 0.5);
      if (r > 0.5) discard;
      c = (vChosen > 0.5 && r > 0.36) ? accent : vTint;
    } else {
      float edge = min(min(vLocal.x, 1.0 - vLocal.x), min(vLocal.y, 1.0 - vLocal.y));
      float f = vChosen > 0.5 ? frame * 1.6 : frame;
      c = edge < f ? (vChosen > 0.5 && edge < f * 0.55 ? accent : vTint) : texture2D(map, vUv).rgb;
    }
    // With a selection, everything else steps back.
    if (anySelected > 0.5 && vChosen < 0.5) c = mix(c, background, 0.72);
    gl_FragColor = vec4(c, 1.0);
  }
`;

export interface SpriteUniforms {
  size: number;
  dots: boolean;
  accent: THREE.Color;
  background: THREE.Color;
}

export function spriteMaterial(map: THREE.Texture | null, cellSize: [number, number], depth: boolean): THREE.ShaderMaterial {
  return new THREE.ShaderMaterial({
    vertexShader,
    fragmentShader,
    depthTest: depth,
    depthWrite: depth,
    uniforms: {
      map: { value: map },
      cellSize: { value: new THREE.Vector2(...cellSize) },
      size: { value: 1 },
      dots: { value: map ? 0 : 1 },
      frame: { value: 0.09 },
      anySelected: { value: 0 },
      accent: { value: new THREE.Color(1, 1, 1) },
      background: { value: new THREE.Color(0, 0, 0) },
    },
  });
}

/** The quad (two triangles, −0.5..0.5) shared by every page's instances. */
export function quadGeometry(): THREE.BufferGeometry {
  const g = new THREE.BufferGeometry();
  g.setAttribute('position', new THREE.BufferAttribute(new Float32Array([-0.5, -0.5, 0, 0.5, -0.5, 0, 0.5, 0.5, 0, -0.5, 0.5, 0]), 3));
  g.setIndex([0, 1, 2, 0, 2, 3]);
  return g;
}

export interface PageInstances {
  geometry: THREE.InstancedBufferGeometry;
  /** Point index of each instance. */
  index: Int32Array;
}

/**
 * One page's instances. `positions` is n×3 (world), `colors` n×3; instance k of the page is point
 * `first + k`, whose atlas cell is k (cells are filled page by page in point order).
 */
export function pageInstances(
  quad: THREE.BufferGeometry,
  positions: Float32Array,
  colors: Float32Array,
  first: number,
  count: number,
  cell: { perRow: number; thumb: number; width: number; height: number } | null,
): PageInstances {
  const g = new THREE.InstancedBufferGeometry();
  g.index = quad.index;
  g.setAttribute('position', quad.getAttribute('position'));
  g.setAttribute('offset', new THREE.InstancedBufferAttribute(positions.slice(first * 3, (first + count) * 3), 3));
  g.setAttribute('tint', new THREE.InstancedBufferAttribute(colors.slice(first * 3, (first + count) * 3), 3));
  g.setAttribute('chosen', new THREE.InstancedBufferAttribute(new Float32Array(count), 1));
  const uv = new Float32Array(count * 2);
  if (cell) {
    for (let k = 0; k < count; k++) {
      const x0 = (k % cell.perRow) * cell.thumb;
      const y0 = Math.floor(k / cell.perRow) * cell.thumb;
      // Textures from images are flipped (flipY): v runs up from the image's bottom edge.
      uv[2 * k] = x0 / cell.width;
      uv[2 * k + 1] = 1 - (y0 + cell.thumb) / cell.height;
    }
  }
  g.setAttribute('cell', new THREE.InstancedBufferAttribute(uv, 2));
  g.instanceCount = count;
  return { geometry: g, index: Int32Array.from({ length: count }, (_, k) => first + k) };
}
