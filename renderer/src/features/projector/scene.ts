// The projector's 3-D (or 2-D) scene: every image as a sprite at its layout position (sprites.ts), an orbit camera
// in 3-D and a pan/zoom orthographic camera in 2-D, a highlight sprite for the hovered or focused image, and the
// points' screen positions (for hover, lasso and box) recomputed only when the camera moves. Frames are drawn
// on demand, never in an idle loop; `frameMs` is the last frame's CPU time for the benchmark.
import * as THREE from 'three';
import { OrbitControls } from 'three/addons/controls/OrbitControls.js';
import type { AtlasInfo } from '../../../../main/api/contract';
import type { ScreenPoints } from './selection';
import { pageInstances, quadGeometry, spriteMaterial, type PageInstances } from './sprites';

/** Layout radius in world units. */
const R = 10;

export interface SceneTheme {
  background: string;
  accent: string;
}

export interface SceneData {
  coords: Float32Array;
  dims: 2 | 3;
  colors: Float32Array;
  atlas: AtlasInfo | null;
  /** One decoded image per atlas page (null: dots only). */
  pages: (HTMLImageElement | null)[];
}

interface Page extends PageInstances {
  mesh: THREE.Mesh<THREE.InstancedBufferGeometry, THREE.ShaderMaterial>;
  texture: THREE.Texture | null;
}

export class PointScene {
  private renderer: THREE.WebGLRenderer;
  private scene = new THREE.Scene();
  private camera: THREE.PerspectiveCamera | THREE.OrthographicCamera = new THREE.PerspectiveCamera(50, 1, 0.01, 1000);
  private controls: OrbitControls | null = null;
  private quad = quadGeometry();
  private pages: Page[] = [];
  private highlight: Page | null = null;
  /** Pages not yet in the scene (added one per frame). */
  private pending: Page[] = [];
  private positions: Float32Array = new Float32Array(0);
  private n = 0;
  private dims: 2 | 3 = 2;
  private size = 1;
  private scale = 1;
  private dots = false;
  private frame = 0;
  private screen: ScreenPoints | null = null;
  private resizer: ResizeObserver;
  private width = 1;
  private height = 1;
  frameMs = 0;
  /** Called after each frame with the camera moved (hover cards follow their point). */
  onFrame: (() => void) | null = null;

  constructor(
    private readonly host: HTMLElement,
    private theme: SceneTheme,
  ) {
    this.renderer = new THREE.WebGLRenderer({ antialias: true, powerPreference: 'high-performance' });
    this.renderer.setPixelRatio(Math.min(2, window.devicePixelRatio || 1));
    const canvas = this.renderer.domElement;
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', 'The images laid out by their embeddings');
    canvas.dataset.testid = 'projector-canvas';
    host.appendChild(canvas);
    this.setTheme(theme);
    this.resizer = new ResizeObserver(() => this.resize());
    this.resizer.observe(host);
    this.resize();
  }

  get canvas(): HTMLCanvasElement {
    return this.renderer.domElement;
  }

  setTheme(theme: SceneTheme): void {
    this.theme = theme;
    this.scene.background = new THREE.Color(theme.background);
    for (const p of this.allPages()) this.applyUniforms(p.mesh.material);
    this.requestRender();
  }

  /** Replaces the points (a new layout or set). Textures are made from `pages` here and released in clear(). */
  setData(d: SceneData): void {
    this.clear();
    this.n = d.coords.length / d.dims;
    this.positions = normalise(d.coords, this.n, d.dims);
    this.size = Math.min(1.2, Math.max(0.06, (2.4 * R) / Math.sqrt(this.n)));
    // Thumbnails only when every page arrived; otherwise dots.
    const atlas = d.atlas && d.pages.length === d.atlas.pages.length && d.pages.every(Boolean) ? d.atlas : null;
    const pageCount = atlas ? atlas.pages.length : 1;
    for (let p = 0; p < pageCount; p++) {
      const first = atlas ? p * atlas.perPage : 0;
      const count = atlas ? atlas.pages[p].count : this.n;
      const img = atlas ? d.pages[p] : null;
      const texture = img ? pageTexture(img, this.renderer) : null;
      const cell =
        atlas && img ? { perRow: atlas.perRow, thumb: atlas.thumb, width: atlas.pages[p].width, height: atlas.pages[p].height } : null;
      const inst = pageInstances(this.quad, this.positions, d.colors, first, count, cell);
      const material = spriteMaterial(texture, cell ? [cell.thumb / cell.width, cell.thumb / cell.height] : [0, 0], d.dims === 3);
      const mesh = new THREE.Mesh(inst.geometry, material);
      mesh.frustumCulled = false;
      this.pages.push({ ...inst, mesh, texture });
    }
    // One page joins the scene per frame: each brings a texture upload, and spread over frames the page stays
    // responsive while 10,000 thumbnails arrive.
    this.pending = [...this.pages];
    if (this.dims !== d.dims || !this.controls) {
      this.dims = d.dims;
      this.makeCamera();
    }
    this.applyAll();
    this.resetView();
  }

  setColors(colors: Float32Array): void {
    for (const p of this.pages) {
      const a = p.geometry.getAttribute('tint') as THREE.InstancedBufferAttribute;
      a.array.set(colors.subarray(p.index[0] * 3, (p.index[0] + p.index.length) * 3));
      a.needsUpdate = true;
    }
    this.requestRender();
  }

  setSelection(selected: ReadonlySet<number>): void {
    for (const p of this.pages) {
      const a = p.geometry.getAttribute('chosen') as THREE.InstancedBufferAttribute;
      const arr = a.array as Float32Array;
      for (let k = 0; k < p.index.length; k++) arr[k] = selected.has(p.index[k]) ? 1 : 0;
      a.needsUpdate = true;
      p.mesh.material.uniforms.anySelected.value = selected.size > 0 ? 1 : 0;
    }
    this.requestRender();
  }

  setDisplay(dots: boolean, scale: number): void {
    this.dots = dots;
    this.scale = scale;
    this.applyAll();
  }

  /** Draws point i larger and framed in the accent colour, above the others (null: none). */
  setHighlight(i: number | null, tint: [number, number, number] = [1, 1, 1]): void {
    if (this.highlight) {
      this.scene.remove(this.highlight.mesh);
      this.highlight.geometry.dispose();
      this.highlight.mesh.material.dispose();
      this.highlight = null;
    }
    if (i !== null && i < this.n) {
      const src = this.pages.find((p) => i >= p.index[0] && i < p.index[0] + p.index.length);
      if (src) {
        const k = i - src.index[0];
        const geometry = src.geometry.clone() as THREE.InstancedBufferGeometry;
        for (const name of ['offset', 'cell', 'tint', 'chosen']) {
          const a = src.geometry.getAttribute(name) as THREE.InstancedBufferAttribute;
          const item = a.itemSize;
          geometry.setAttribute(name, new THREE.InstancedBufferAttribute((a.array as Float32Array).slice(k * item, (k + 1) * item), item));
        }
        (geometry.getAttribute('tint').array as Float32Array).set(tint);
        (geometry.getAttribute('chosen').array as Float32Array)[0] = 1;
        geometry.instanceCount = 1;
        const material = src.mesh.material.clone();
        // clone() copies the texture object too: share the page's instead (no second upload of a page).
        material.uniforms.map.value = src.mesh.material.uniforms.map.value;
        material.depthTest = false;
        const mesh = new THREE.Mesh(geometry, material);
        mesh.frustumCulled = false;
        mesh.renderOrder = 10;
        this.highlight = { geometry, index: Int32Array.of(i), mesh, texture: null };
        this.scene.add(mesh);
        this.applyUniforms(material, 2.2);
        material.uniforms.anySelected.value = 0;
      }
    }
    this.requestRender();
  }

  /** Lets the mouse orbit/pan/zoom (false while lassoing). */
  setNavigation(on: boolean): void {
    if (this.controls) this.controls.enabled = on;
  }

  resetView(): void {
    if (this.camera instanceof THREE.PerspectiveCamera) this.camera.position.set(0, 0, R * 2.7);
    else {
      this.camera.position.set(0, 0, 100);
      this.camera.zoom = 1;
    }
    this.camera.lookAt(0, 0, 0);
    this.controls?.target.set(0, 0, 0);
    this.camera.updateProjectionMatrix();
    this.controls?.update();
    this.requestRender();
  }

  /** Screen positions of every point in CSS pixels (cached until the camera or the data changes). */
  screenPoints(): ScreenPoints {
    if (this.screen) return this.screen;
    const m = new THREE.Matrix4().multiplyMatrices(this.camera.projectionMatrix, this.camera.matrixWorldInverse).elements;
    const x = new Float32Array(this.n);
    const y = new Float32Array(this.n);
    const p = this.positions;
    for (let i = 0; i < this.n; i++) {
      const px = p[3 * i];
      const py = p[3 * i + 1];
      const pz = p[3 * i + 2];
      const w = m[3] * px + m[7] * py + m[11] * pz + m[15];
      if (w <= 0) {
        x[i] = y[i] = NaN;
        continue;
      }
      x[i] = ((m[0] * px + m[4] * py + m[8] * pz + m[12]) / w + 1) * 0.5 * this.width;
      y[i] = (1 - (m[1] * px + m[5] * py + m[9] * pz + m[13]) / w) * 0.5 * this.height;
    }
    this.screen = { x, y };
    return this.screen;
  }

  /** Half a sprite's size in pixels at the layout's centre depth (for picking). */
  private pickRadius(): number {
    const cam = this.camera;
    const world = (this.size * this.scale) / 2;
    if (cam instanceof THREE.OrthographicCamera) return (world * cam.zoom * this.height) / (cam.top - cam.bottom);
    const dist = cam.position.length() || 1;
    return (world * this.height) / (2 * Math.tan((cam.fov * Math.PI) / 360) * dist);
  }

  /** The point under (x, y) in CSS pixels: the nearest centre within a sprite's half-size (at least 4 px). */
  pick(x: number, y: number): number | null {
    const s = this.screenPoints();
    const r = Math.max(4, this.pickRadius());
    let best: number | null = null;
    let bestD = r * r;
    for (let i = 0; i < this.n; i++) {
      const dx = s.x[i] - x;
      const dy = s.y[i] - y;
      const d = dx * dx + dy * dy;
      if (d <= bestD) {
        bestD = d;
        best = i;
      }
    }
    return best;
  }

  requestRender(): void {
    this.screen = null;
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  render(): void {
    const t0 = performance.now();
    const next = this.pending.shift();
    if (next) this.scene.add(next.mesh);
    this.renderer.render(this.scene, this.camera);
    this.frameMs = performance.now() - t0;
    this.onFrame?.();
    if (this.pending.length) this.requestRender();
  }

  /** The current view as PNG bytes (drawn now, read before the buffer is cleared). */
  async png(): Promise<Blob> {
    for (const p of this.pending.splice(0)) this.scene.add(p.mesh);
    this.render();
    return new Promise((resolve, reject) =>
      this.renderer.domElement.toBlob((b) => (b ? resolve(b) : reject(new Error('the canvas could not be read'))), 'image/png'),
    );
  }

  dispose(): void {
    cancelAnimationFrame(this.frame);
    this.resizer.disconnect();
    this.clear();
    this.controls?.dispose();
    this.quad.dispose();
    this.renderer.dispose();
    this.renderer.forceContextLoss();
    this.renderer.domElement.remove();
  }

  private allPages(): Page[] {
    return this.highlight ? [...this.pages, this.highlight] : this.pages;
  }

  private clear(): void {
    this.setHighlight(null);
    for (const p of this.pages) {
      this.scene.remove(p.mesh);
      p.geometry.dispose();
      p.mesh.material.dispose();
      p.texture?.dispose();
    }
    this.pages = [];
    this.pending = [];
  }

  private applyUniforms(mat: THREE.ShaderMaterial, grow = 1): void {
    const u = mat.uniforms;
    u.size.value = this.size * this.scale * grow;
    u.dots.value = this.dots || !u.map.value ? 1 : 0;
    u.accent.value.set(this.theme.accent);
    u.background.value.set(this.theme.background);
  }

  private applyAll(): void {
    for (const p of this.pages) this.applyUniforms(p.mesh.material);
    if (this.highlight) this.applyUniforms(this.highlight.mesh.material, 2.2);
    this.requestRender();
  }

  private makeCamera(): void {
    this.controls?.dispose();
    const aspect = this.width / this.height;
    const h = R * 1.15;
    this.camera =
      this.dims === 3
        ? new THREE.PerspectiveCamera(50, aspect, 0.05, 1000)
        : new THREE.OrthographicCamera(-h * aspect, h * aspect, h, -h, 0.1, 1000);
    const c = new OrbitControls(this.camera, this.renderer.domElement);
    c.zoomToCursor = true;
    c.zoomSpeed = 1.4;
    c.screenSpacePanning = true;
    if (this.dims === 2) {
      c.enableRotate = false;
      c.mouseButtons = { LEFT: THREE.MOUSE.PAN, MIDDLE: THREE.MOUSE.DOLLY, RIGHT: THREE.MOUSE.PAN };
      c.touches = { ONE: THREE.TOUCH.PAN, TWO: THREE.TOUCH.DOLLY_PAN };
    }
    c.addEventListener('change', () => this.requestRender());
    this.controls = c;
    this.resize();
  }

  private resize(): void {
    const w = Math.max(1, this.host.clientWidth);
    const h = Math.max(1, this.host.clientHeight);
    this.width = w;
    this.height = h;
    this.renderer.setSize(w, h);
    const cam = this.camera;
    if (cam instanceof THREE.PerspectiveCamera) cam.aspect = w / h;
    else {
      const half = R * 1.15;
      cam.left = (-half * w) / h;
      cam.right = (half * w) / h;
      cam.top = half;
      cam.bottom = -half;
    }
    cam.updateProjectionMatrix();
    this.requestRender();
  }
}

/** Centred and scaled so the farthest point is at radius R; 2-D layouts lie in z = 0. */
function normalise(c: Float32Array, n: number, dims: number): Float32Array {
  const out = new Float32Array(n * 3);
  const mid = [0, 0, 0];
  for (let t = 0; t < dims; t++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < n; i++) {
      lo = Math.min(lo, c[i * dims + t]);
      hi = Math.max(hi, c[i * dims + t]);
    }
    mid[t] = (lo + hi) / 2;
  }
  let r = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let t = 0; t < dims; t++) s += (c[i * dims + t] - mid[t]) ** 2;
    r = Math.max(r, Math.sqrt(s));
  }
  const k = r > 0 ? R / r : 1;
  for (let i = 0; i < n; i++) for (let t = 0; t < dims; t++) out[i * 3 + t] = (c[i * dims + t] - mid[t]) * k;
  return out;
}

function pageTexture(img: HTMLImageElement, renderer: THREE.WebGLRenderer): THREE.Texture {
  const t = new THREE.Texture(img);
  t.colorSpace = THREE.NoColorSpace;
  t.anisotropy = Math.min(4, renderer.capabilities.getMaxAnisotropy());
  t.needsUpdate = true;
  return t;
}
