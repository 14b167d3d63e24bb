// A layer's name tab: a flat card-index tab on the plane's top edge (the name in bold, its shape below),
// drawn once on a canvas in the theme's colours. Tabs of successive layers alternate between two slots along the edge,
// so that in the receding stack each one stays readable beside its neighbours.
import * as THREE from 'three';

export interface LabelTheme {
  surface: string;
  border: string;
  text: string;
  muted: string;
  font: string;
}

const H = 96; // canvas pixels of the tab's height
const TAB = 0.95; // tab height in world units
export const TAB_SLOTS = 2;

/** The tab mesh for a plane `planeWidth` wide; its local origin is the tab's centre. */
export function layerTab(
  name: string,
  detail: string,
  theme: LabelTheme,
  planeWidth: number,
): THREE.Mesh<THREE.PlaneGeometry, THREE.MeshBasicMaterial> {
  const maxW = Math.floor(((planeWidth / TAB_SLOTS - 0.12) / TAB) * H);
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d')!;
  const pad = 16;
  let big = 38;
  let small = 27;
  const fit = () => {
    ctx.font = `650 ${big}px ${theme.font}`;
    const a = ctx.measureText(name).width;
    ctx.font = `400 ${small}px ${theme.font}`;
    return Math.max(a, ctx.measureText(detail).width) + pad * 2;
  };
  let w = fit();
  if (w > maxW) {
    const k = maxW / w;
    big = Math.max(16, Math.floor(big * k));
    small = Math.max(13, Math.floor(small * k));
    w = Math.min(maxW, fit());
  }
  canvas.width = Math.ceil(w);
  canvas.height = H;
  const r = 14;
  ctx.fillStyle = theme.surface;
  ctx.strokeStyle = theme.border;
  ctx.lineWidth = 3;
  ctx.beginPath();
  ctx.roundRect(1.5, 1.5, canvas.width - 3, H + r, [r, r, 0, 0]);
  ctx.fill();
  ctx.stroke();
  ctx.textBaseline = 'alphabetic';
  ctx.font = `650 ${big}px ${theme.font}`;
  ctx.fillStyle = theme.text;
  ctx.fillText(name, pad, H * 0.5, canvas.width - pad * 2);
  ctx.font = `400 ${small}px ${theme.font}`;
  ctx.fillStyle = theme.muted;
  ctx.fillText(detail, pad, H * 0.84, canvas.width - pad * 2);
  const tex = new THREE.CanvasTexture(canvas);
  tex.colorSpace = THREE.SRGBColorSpace;
  tex.anisotropy = 8;
  const mesh = new THREE.Mesh(
    new THREE.PlaneGeometry(1, 1),
    new THREE.MeshBasicMaterial({ map: tex, transparent: true, side: THREE.DoubleSide, depthWrite: false }),
  );
  mesh.scale.set((TAB * canvas.width) / H, TAB, 1);
  return mesh;
}

export function disposeTab(m: THREE.Mesh<THREE.PlaneGeometry, THREE.MeshBasicMaterial>): void {
  m.material.map?.dispose();
  m.material.dispose();
  m.geometry.dispose();
}
