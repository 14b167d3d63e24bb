// The 3-D view: the surface as one mesh coloured by height, the racers' trails and markers, step-mode arrows,
// orbit and zoom (OrbitControls), and picking a start by clicking the mesh (raycast). Renders on demand.
// WebGL resources are the scene's own and dispose() releases every one of them.
import * as THREE from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import { PLAYGROUND_OPTIMIZERS, type PlaygroundOptimizerId } from '../../../../main/playground/optimizer-path';
import type { Field } from './field';
import { OPTIMIZER_COLORS, rampRgb } from './palette';
import { MAX_STEPS, type RacerView } from './race.svelte';

/** World units: the domain's longer side spans WIDTH, heights span HEIGHT. */
const WIDTH = 10;
const HEIGHT = 3.6;
const LIFT = 0.05;

interface Racer3d {
  marker: THREE.Mesh;
  trail: THREE.Line;
  positions: Float32Array;
  drawn: number;
  grad: THREE.ArrowHelper;
  update: THREE.ArrowHelper;
}

export interface SceneInput {
  views: RacerView[];
  trails: Map<PlaygroundOptimizerId, number[]>;
  start: [number, number];
  stepMode: boolean;
  /** Update arrows are drawn this many times their length (they are tiny next to the domain). */
  magnify: number;
}

/** Throws a plain-language Error when the browser gives no WebGL context. */
export class SurfaceScene {
  private readonly renderer: THREE.WebGLRenderer;
  private readonly scene = new THREE.Scene();
  private readonly camera = new THREE.PerspectiveCamera(42, 1, 0.1, 400);
  private readonly controls: OrbitControls;
  private readonly raycaster = new THREE.Raycaster();
  private readonly racers = new Map<PlaygroundOptimizerId, Racer3d>();
  private readonly surfaceGroup = new THREE.Group();
  private readonly startMarker: THREE.Mesh;
  private mesh: THREE.Mesh | null = null;
  private field: Field | null = null;
  private scale = 1;
  private center: [number, number] = [0, 0];
  private frame = 0;
  private lineColor = new THREE.Color('#ffffff');

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly onRender: () => void = () => {},
  ) {
    try {
      // preserveDrawingBuffer: the PNG/GIF export and the tests read the canvas between frames.
      this.renderer = new THREE.WebGLRenderer({ canvas, antialias: true, preserveDrawingBuffer: true });
    } catch {
      throw new Error('WebGL is not available here, so the 3-D view cannot be drawn. The contour view still works.');
    }
    this.renderer.setPixelRatio(Math.min(2, window.devicePixelRatio || 1));
    this.scene.add(new THREE.AmbientLight(0xffffff, 1.1));
    const sun = new THREE.DirectionalLight(0xffffff, 1.6);
    sun.position.set(6, 12, 8);
    this.scene.add(sun, this.surfaceGroup);
    this.camera.position.set(8.5, 8, 10.5);
    this.controls = new OrbitControls(this.camera, canvas);
    this.controls.target.set(0, HEIGHT * 0.3, 0);
    this.controls.maxPolarAngle = Math.PI * 0.49;
    this.controls.minDistance = 3;
    this.controls.maxDistance = 40;
    this.controls.addEventListener('change', () => this.requestRender());
    this.controls.update();
    this.startMarker = new THREE.Mesh(new THREE.OctahedronGeometry(0.16), new THREE.MeshBasicMaterial({ color: 0xffffff }));
    this.scene.add(this.startMarker);
    for (const kind of PLAYGROUND_OPTIMIZERS) {
      const color = new THREE.Color(OPTIMIZER_COLORS[kind]);
      const marker = new THREE.Mesh(new THREE.SphereGeometry(0.13, 20, 14), new THREE.MeshBasicMaterial({ color }));
      const positions = new Float32Array(3 * (MAX_STEPS + 1));
      const g = new THREE.BufferGeometry();
      g.setAttribute('position', new THREE.BufferAttribute(positions, 3));
      g.setDrawRange(0, 0);
      const trail = new THREE.Line(g, new THREE.LineBasicMaterial({ color }));
      trail.frustumCulled = false;
      const grad = new THREE.ArrowHelper(new THREE.Vector3(1, 0, 0), new THREE.Vector3(), 1, 0xffffff, 0.22, 0.12);
      const update = new THREE.ArrowHelper(new THREE.Vector3(1, 0, 0), new THREE.Vector3(), 1, color, 0.22, 0.12);
      grad.visible = update.visible = false;
      this.scene.add(marker, trail, grad, update);
      this.racers.set(kind, { marker, trail, positions, drawn: 0, grad, update });
    }
  }

  setTheme(background: string, dark: boolean): void {
    this.renderer.setClearColor(new THREE.Color(background));
    this.lineColor = new THREE.Color(dark ? '#ffffff' : '#0b1020');
    for (const r of this.racers.values()) r.grad.setColor(this.lineColor);
    if (this.field) this.setField(this.field);
    this.requestRender();
  }

  /** World position of a surface point (x, y) at drawn height h ∈ [0, 1]. */
  private world(x: number, y: number, h: number, out = new THREE.Vector3()): THREE.Vector3 {
    const half = WIDTH / 2;
    const X = Math.max(-half, Math.min(half, (x - this.center[0]) * this.scale));
    const Z = Math.max(-half, Math.min(half, -(y - this.center[1]) * this.scale));
    return out.set(X, h * HEIGHT, Z);
  }

  setField(field: Field): void {
    this.field = field;
    const { surface: s, n } = field;
    const spanX = s.domain.x[1] - s.domain.x[0];
    const spanY = s.domain.y[1] - s.domain.y[0];
    this.scale = WIDTH / Math.max(spanX, spanY);
    this.center = [(s.domain.x[0] + s.domain.x[1]) / 2, (s.domain.y[0] + s.domain.y[1]) / 2];
    this.clearSurface();
    const pos = new Float32Array(n * n * 3);
    const col = new Float32Array(n * n * 3);
    const c = new THREE.Color();
    const v = new THREE.Vector3();
    for (let j = 0; j < n; j++)
      for (let i = 0; i < n; i++) {
        const k = j * n + i;
        this.world(field.x(i), field.y(j), field.t[k], v).toArray(pos, 3 * k);
        const [r, g, b] = rampRgb(field.t[k]);
        c.setRGB(r / 255, g / 255, b / 255, THREE.SRGBColorSpace).toArray(col, 3 * k);
      }
    const index: number[] = [];
    for (let j = 0; j < n - 1; j++)
      for (let i = 0; i < n - 1; i++) {
        const a = j * n + i;
        index.push(a, a + 1, a + n, a + 1, a + n + 1, a + n);
      }
    const geo = new THREE.BufferGeometry();
    geo.setAttribute('position', new THREE.BufferAttribute(pos, 3));
    geo.setAttribute('color', new THREE.BufferAttribute(col, 3));
    geo.setIndex(index);
    geo.computeVertexNormals();
    this.mesh = new THREE.Mesh(geo, new THREE.MeshLambertMaterial({ vertexColors: true, side: THREE.DoubleSide }));
    this.surfaceGroup.add(this.mesh);
    // A light grid on the surface every n/16 samples: depth cues without hiding the colours.
    const every = Math.max(1, Math.round((n - 1) / 16));
    const seg: number[] = [];
    const lift = (k: number) => [pos[3 * k], pos[3 * k + 1] + 0.01, pos[3 * k + 2]];
    for (let j = 0; j < n; j += every) for (let i = 0; i < n - 1; i++) seg.push(...lift(j * n + i), ...lift(j * n + i + 1));
    for (let i = 0; i < n; i += every) for (let j = 0; j < n - 1; j++) seg.push(...lift(j * n + i), ...lift((j + 1) * n + i));
    const gridGeo = new THREE.BufferGeometry();
    gridGeo.setAttribute('position', new THREE.Float32BufferAttribute(seg, 3));
    const grid = new THREE.LineSegments(gridGeo, new THREE.LineBasicMaterial({ color: 0x000000, transparent: true, opacity: 0.16 }));
    this.surfaceGroup.add(grid);
    for (const [x, y] of s.minima) {
      const m = new THREE.Mesh(new THREE.TorusGeometry(0.14, 0.035, 8, 24), new THREE.MeshBasicMaterial({ color: 0xffe28a }));
      m.rotation.x = Math.PI / 2;
      this.world(x, y, field.heightOf(s.f(x, y)), m.position);
      m.position.y += LIFT;
      this.surfaceGroup.add(m);
    }
    for (const r of this.racers.values()) r.drawn = 0;
    this.requestRender();
  }

  private clearSurface(): void {
    for (const o of [...this.surfaceGroup.children]) {
      this.surfaceGroup.remove(o);
      disposeObject(o);
    }
    this.mesh = null;
  }

  update(input: SceneInput): void {
    const field = this.field;
    if (!field) return;
    const v = new THREE.Vector3();
    this.world(input.start[0], input.start[1], field.heightOf(field.surface.f(...input.start)), this.startMarker.position);
    this.startMarker.position.y += 0.2;
    for (const view of input.views) {
      const r = this.racers.get(view.kind)!;
      const trail = input.trails.get(view.kind) ?? [];
      const count = trail.length / 3;
      const shown = view.enabled && !view.error;
      r.marker.visible = r.trail.visible = shown;
      if (count < r.drawn) r.drawn = 0;
      for (let p = r.drawn; p < count; p++) {
        const [x, y, f] = [trail[3 * p], trail[3 * p + 1], trail[3 * p + 2]];
        if (!Number.isFinite(x) || !Number.isFinite(y)) {
          if (p > 0) r.positions.copyWithin(3 * p, 3 * (p - 1), 3 * p);
          continue;
        }
        this.world(x, y, field.heightOf(f), v).toArray(r.positions, 3 * p);
        r.positions[3 * p + 1] += LIFT;
      }
      if (count !== r.drawn) {
        const attr = r.trail.geometry.getAttribute('position') as THREE.BufferAttribute;
        attr.addUpdateRange(3 * r.drawn, 3 * (count - r.drawn));
        attr.needsUpdate = true;
        r.trail.geometry.setDrawRange(0, count);
        r.drawn = count;
      }
      const last = Math.max(0, count - 1);
      r.marker.position.fromArray(r.positions, 3 * last);
      const st = view.step;
      const arrows = shown && input.stepMode && st.grad !== null && st.update !== null && !view.diverged;
      r.grad.visible = r.update.visible = arrows;
      if (arrows) {
        const origin = r.marker.position.clone();
        origin.y += 0.02;
        const [gx, gy] = st.grad!;
        const gl = Math.hypot(gx, gy);
        if (gl > 0) {
          r.grad.position.copy(origin);
          r.grad.setDirection(new THREE.Vector3(-gx / gl, 0, gy / gl));
          r.grad.setLength(1.2, 0.22, 0.12);
        } else r.grad.visible = false;
        const [ux, uy] = st.update!;
        const ul = Math.hypot(ux, uy) * this.scale * input.magnify;
        if (ul > 1e-6) {
          r.update.position.copy(origin);
          r.update.setDirection(new THREE.Vector3(ux, 0, -uy).normalize());
          r.update.setLength(Math.max(ul, 0.3), Math.min(0.22, ul * 0.4 + 0.05), 0.12);
        } else r.update.visible = false;
      }
    }
    this.requestRender();
  }

  resize(width: number, height: number): void {
    if (width <= 0 || height <= 0) return;
    this.renderer.setSize(width, height, false);
    this.camera.aspect = width / height;
    this.camera.updateProjectionMatrix();
    this.fit();
    this.requestRender();
  }

  /** Camera distance that shows the whole box at this aspect, along the current viewing direction. */
  private fit(): void {
    const radius = Math.hypot(WIDTH / 2, WIDTH / 2, HEIGHT / 2) * 1.08;
    const vfov = THREE.MathUtils.degToRad(this.camera.fov);
    const hfov = 2 * Math.atan(Math.tan(vfov / 2) * this.camera.aspect);
    const d = radius / Math.sin(Math.min(vfov, hfov) / 2);
    const dir = this.camera.position.clone().sub(this.controls.target).normalize();
    this.camera.position.copy(this.controls.target).addScaledVector(dir, d);
    this.controls.update();
  }

  requestRender(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  render(): void {
    this.renderer.render(this.scene, this.camera);
    this.onRender();
  }

  /** The surface point (x, y) under a client position, or null off the mesh. */
  pick(clientX: number, clientY: number): [number, number] | null {
    if (!this.mesh) return null;
    const rect = this.canvas.getBoundingClientRect();
    const ndc = new THREE.Vector2(((clientX - rect.left) / rect.width) * 2 - 1, -((clientY - rect.top) / rect.height) * 2 + 1);
    this.raycaster.setFromCamera(ndc, this.camera);
    const hit = this.raycaster.intersectObject(this.mesh, false)[0];
    if (!hit) return null;
    return [hit.point.x / this.scale + this.center[0], -hit.point.z / this.scale + this.center[1]];
  }

  /** The canvas as drawn now (rendered first, so it is current). */
  snapshot(): HTMLCanvasElement {
    this.render();
    return this.canvas;
  }

  dispose(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.controls.dispose();
    this.clearSurface();
    this.scene.traverse((o) => disposeObject(o));
    this.renderer.dispose();
    this.renderer.forceContextLoss();
  }
}

function disposeObject(o: THREE.Object3D): void {
  const m = o as THREE.Mesh;
  m.geometry?.dispose();
  const mat = m.material as THREE.Material | THREE.Material[] | undefined;
  if (Array.isArray(mat)) mat.forEach((x) => x.dispose());
  else mat?.dispose();
}
