// The 3-D stack: one plane per layer (one shared quad geometry, one atlas texture and one material each, so a
// VGG-sized network is ~40 draw calls however many channels it has), stacked along −z in network order with
// its name tag, an orbit camera that flies from layer to layer, and picking (ray → plane → UV → tile → channel).
// Frames are drawn on demand (a change, a hover, a flight), never in an idle loop.
import * as THREE from 'three';
import { OrbitControls } from 'three/addons/controls/OrbitControls.js';
import type { ActivationLayer } from '../../../../main/api/contract';
import { disposeTab, layerTab, TAB_SLOTS, type LabelTheme } from './labels';
import { atlasTexture, CMAP_INDEX, planeMaterial, type PlaneColormap, type PlaneTheme } from './plane-material';

export interface SceneTheme {
  background: string;
  plane: PlaneTheme;
  label: LabelTheme;
}

export interface Pick {
  layer: number;
  channel: number;
}

/** Plane size (its longer side) and the distance between planes, in world units. */
const SIDE = 10;
const GAP = 7;
/** Where the camera sits relative to the layer it looks at: in front, to the right, a little above. */
const VIEW = new THREE.Vector3(10, 5, 15.5);
const FLIGHT_MS = 480;

type Tab = ReturnType<typeof layerTab>;

interface Plane {
  mesh: THREE.Mesh<THREE.PlaneGeometry, THREE.ShaderMaterial>;
  label: Tab;
  width: number;
  height: number;
  layer: ActivationLayer;
  texture: THREE.DataTexture | null;
}

export function webglAvailable(): boolean {
  try {
    return !!document.createElement('canvas').getContext('webgl2');
  } catch {
    return false;
  }
}

export class StackScene {
  readonly maxTextureSize: number;
  private renderer: THREE.WebGLRenderer;
  private scene = new THREE.Scene();
  private camera = new THREE.PerspectiveCamera(45, 1, 0.1, 5000);
  private controls: OrbitControls;
  private geometry = new THREE.PlaneGeometry(1, 1);
  private planes: Plane[] = [];
  private raycaster = new THREE.Raycaster();
  private frame = 0;
  private flight: { from: THREE.Vector3; to: THREE.Vector3; camFrom: THREE.Vector3; camTo: THREE.Vector3; t0: number } | null = null;
  private focused = 0;
  private hovered: Pick | null = null;
  private selected: Pick | null = null;
  private resizer: ResizeObserver;

  constructor(
    private readonly host: HTMLElement,
    private theme: SceneTheme,
    private cmap: PlaneColormap,
  ) {
    this.renderer = new THREE.WebGLRenderer({ antialias: true, powerPreference: 'high-performance' });
    this.renderer.setPixelRatio(Math.min(2, window.devicePixelRatio || 1));
    this.renderer.domElement.setAttribute('aria-label', 'Feature maps of every layer, stacked in 3-D');
    this.renderer.domElement.setAttribute('role', 'img');
    host.appendChild(this.renderer.domElement);
    this.maxTextureSize = this.renderer.capabilities.maxTextureSize;
    this.scene.background = new THREE.Color(theme.background);
    this.camera.position.copy(VIEW);
    this.controls = new OrbitControls(this.camera, this.renderer.domElement);
    this.controls.enableDamping = false;
    this.controls.zoomSpeed = 1.2;
    this.controls.addEventListener('change', () => this.requestRender());
    this.resizer = new ResizeObserver(() => this.resize());
    this.resizer.observe(host);
    this.resize();
  }

  /** Lays out one plane per layer (textures arrive later through setAtlas). */
  setLayers(layers: ActivationLayer[]): void {
    this.clearPlanes();
    layers.forEach((layer, i) => {
      const aspect = layer.atlasWidth / Math.max(1, layer.atlasHeight);
      const w = aspect >= 1 ? SIDE : SIDE * aspect;
      const h = aspect >= 1 ? SIDE / aspect : SIDE;
      const mat = planeMaterial([layer.cols, layer.rows], layer.shown, this.theme.plane, this.cmap);
      mat.uniforms.dim.value = 1; // until its atlas arrives
      const mesh = new THREE.Mesh(this.geometry, mat);
      mesh.scale.set(w, h, 1);
      mesh.position.set(0, 0, -i * GAP);
      mesh.userData.index = i;
      this.scene.add(mesh);
      const plane: Plane = { mesh, label: this.makeLabel(layer, w), width: w, height: h, layer, texture: null };
      this.placeLabel(plane, i);
      this.scene.add(plane.label);
      this.planes.push(plane);
    });
    this.focused = 0;
    this.ghostBefore(0);
    this.controls.target.set(0, 0, 0);
    this.camera.position.copy(VIEW);
    this.controls.update();
    this.requestRender();
  }

  setAtlas(index: number, bytes: Uint8Array): void {
    const p = this.planes[index];
    if (!p) return;
    p.texture?.dispose();
    p.texture = atlasTexture(bytes, p.layer.atlasWidth, p.layer.atlasHeight);
    p.mesh.material.uniforms.map.value = p.texture;
    p.mesh.material.uniforms.dim.value = 0;
    this.requestRender();
  }

  setColormap(cmap: PlaneColormap): void {
    this.cmap = cmap;
    for (const p of this.planes) p.mesh.material.uniforms.cmap.value = CMAP_INDEX[cmap];
    this.requestRender();
  }

  setTheme(theme: SceneTheme): void {
    this.theme = theme;
    (this.scene.background as THREE.Color).set(theme.background);
    for (const p of this.planes) {
      const u = p.mesh.material.uniforms;
      u.panel.value.copy(theme.plane.panel);
      u.line.value.copy(theme.plane.line);
      u.accent.value.copy(theme.plane.accent);
      this.scene.remove(p.label);
      disposeTab(p.label);
      p.label = this.makeLabel(p.layer, p.width);
      this.placeLabel(p, this.planes.indexOf(p));
      this.scene.add(p.label);
    }
    this.ghostBefore(this.focused);
    this.requestRender();
  }

  /** Flies to layer `index`, keeping the angle the user orbited to. */
  focus(index: number, animate = true): void {
    const p = this.planes[index];
    if (!p) return;
    this.focused = index;
    this.ghostBefore(index);
    const to = p.mesh.position.clone();
    const offset = this.camera.position.clone().sub(this.controls.target);
    if (offset.length() > 60 || offset.length() < 3) offset.copy(VIEW);
    const camTo = to.clone().add(offset);
    if (!animate) {
      this.controls.target.copy(to);
      this.camera.position.copy(camTo);
      this.controls.update();
    } else {
      this.flight = { from: this.controls.target.clone(), to, camFrom: this.camera.position.clone(), camTo, t0: performance.now() };
    }
    this.requestRender();
  }

  get focusedLayer(): number {
    return this.focused;
  }

  /** The tile under a point of the canvas (client coordinates), or null. */
  pick(clientX: number, clientY: number): Pick | null {
    const r = this.renderer.domElement.getBoundingClientRect();
    const ndc = new THREE.Vector2(((clientX - r.left) / r.width) * 2 - 1, -((clientY - r.top) / r.height) * 2 + 1);
    this.raycaster.setFromCamera(ndc, this.camera);
    const hit = this.raycaster.intersectObjects(
      this.planes.filter((p) => !p.mesh.userData.ghost).map((p) => p.mesh),
      false,
    )[0];
    if (!hit?.uv) return null;
    const p = this.planes[hit.object.userData.index as number];
    const col = Math.min(p.layer.cols - 1, Math.floor(hit.uv.x * p.layer.cols));
    const row = Math.min(p.layer.rows - 1, Math.floor((1 - hit.uv.y) * p.layer.rows));
    const channel = row * p.layer.cols + col;
    return channel < p.layer.shown ? { layer: hit.object.userData.index as number, channel } : null;
  }

  setHovered(h: Pick | null): void {
    if (h?.layer === this.hovered?.layer && h?.channel === this.hovered?.channel) return;
    this.mark(this.hovered, 'hovered', -1);
    this.hovered = h;
    this.mark(h, 'hovered', h?.channel ?? -1);
    this.requestRender();
  }

  setSelected(s: Pick | null): void {
    this.mark(this.selected, 'selected', -1);
    this.selected = s;
    this.mark(s, 'selected', s?.channel ?? -1);
    this.requestRender();
  }

  private mark(at: Pick | null, which: 'hovered' | 'selected', value: number): void {
    const p = at ? this.planes[at.layer] : undefined;
    if (p) p.mesh.material.uniforms[which].value = value;
  }

  /** The current view as PNG bytes (drawn now, read before the buffer is cleared). */
  async png(): Promise<Uint8Array> {
    this.draw();
    const blob = await new Promise<Blob | null>((resolve) => this.renderer.domElement.toBlob(resolve, 'image/png'));
    if (!blob) throw new Error('The canvas could not be read back as PNG.');
    return new Uint8Array(await blob.arrayBuffer());
  }

  get canvas(): HTMLCanvasElement {
    return this.renderer.domElement;
  }

  requestRender(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  private draw(): void {
    if (this.flight) {
      const f = this.flight;
      const t = Math.min(1, (performance.now() - f.t0) / FLIGHT_MS);
      const e = t < 0.5 ? 4 * t * t * t : 1 - (-2 * t + 2) ** 3 / 2;
      this.controls.target.lerpVectors(f.from, f.to, e);
      this.camera.position.lerpVectors(f.camFrom, f.camTo, e);
      this.camera.lookAt(this.controls.target);
      if (t >= 1) {
        this.flight = null;
        this.controls.update();
      } else this.requestRender();
    }
    this.renderer.render(this.scene, this.camera);
  }

  private makeLabel(layer: ActivationLayer, planeWidth: number): Tab {
    return layerTab(layer.name, `${layer.channels} × ${layer.height} × ${layer.width}`, this.theme.label, planeWidth);
  }

  /** Card-index tabs: slot i mod TAB_SLOTS along the plane's top edge. */
  private placeLabel(p: Plane, i: number): void {
    const slot = i % TAB_SLOTS;
    p.label.position.set(-p.width / 2 + (slot * p.width) / TAB_SLOTS + p.label.scale.x / 2, p.height / 2 + p.label.scale.y / 2, -i * GAP);
  }

  /**
   * Layers before the one in focus lie between it and the camera: they turn into faint ghosts (no depth, no tab,
   * no picking) so the focused plane is seen whole, and come back when the camera flies back to them.
   */
  private ghostBefore(index: number): void {
    this.planes.forEach((p, i) => {
      const ghost = i < index;
      p.mesh.material.uniforms.alpha.value = ghost ? 0.07 : 1;
      p.mesh.material.depthWrite = !ghost;
      p.mesh.userData.ghost = ghost;
      p.label.visible = !ghost;
    });
  }

  private resize(): void {
    const w = Math.max(1, this.host.clientWidth);
    const h = Math.max(1, this.host.clientHeight);
    this.renderer.setSize(w, h, false);
    this.camera.aspect = w / h;
    this.camera.updateProjectionMatrix();
    this.requestRender();
  }

  private clearPlanes(): void {
    for (const p of this.planes) {
      this.scene.remove(p.mesh, p.label);
      p.mesh.material.dispose();
      p.texture?.dispose();
      disposeTab(p.label);
    }
    this.planes = [];
    this.hovered = null;
    this.selected = null;
  }

  /** Frees every GPU resource and the WebGL context itself. */
  dispose(): void {
    cancelAnimationFrame(this.frame);
    this.resizer.disconnect();
    this.controls.dispose();
    this.clearPlanes();
    this.geometry.dispose();
    this.renderer.dispose();
    this.renderer.forceContextLoss();
    this.renderer.domElement.remove();
  }
}
