// A layer's name tag in the scene: a sprite (always facing the camera) drawn once on a canvas, the name in
// bold and its shape beside it, on a rounded pill in the theme's surface colour.
import * as THREE from 'three';

export interface LabelTheme {
  surface: string;
  border: string;
  text: string;
  muted: string;
  font: string;
}

const PX = 44; // canvas pixels per text line (crisp at typical distances)

export function labelSprite(name: string, detail: string, theme: LabelTheme, worldHeight: number): THREE.Sprite {
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d')!;
  const bold = `650 ${PX * 0.62}px ${theme.font}`;
  const thin = `400 ${PX * 0.5}px ${theme.font}`;
  ctx.font = bold;
  const wName = ctx.measureText(name).width;
  ctx.font = thin;
  const wDetail = ctx.measureText(detail).width;
  const pad = PX * 0.36;
  const gap = PX * 0.3;
  canvas.width = Math.ceil(pad * 2 + wName + gap + wDetail);
  canvas.height = PX;
  ctx.fillStyle = theme.surface;
  ctx.strokeStyle = theme.border;
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.roundRect(1, 1, canvas.width - 2, canvas.height - 2, PX * 0.22);
  ctx.fill();
  ctx.stroke();
  ctx.textBaseline = 'middle';
  ctx.font = bold;
  ctx.fillStyle = theme.text;
  ctx.fillText(name, pad, PX / 2 + 1);
  ctx.font = thin;
  ctx.fillStyle = theme.muted;
  ctx.fillText(detail, pad + wName + gap, PX / 2 + 1);
  const tex = new THREE.CanvasTexture(canvas);
  tex.colorSpace = THREE.SRGBColorSpace;
  tex.anisotropy = 4;
  const sprite = new THREE.Sprite(new THREE.SpriteMaterial({ map: tex, transparent: true, depthWrite: false }));
  sprite.scale.set((worldHeight * canvas.width) / canvas.height, worldHeight, 1);
  return sprite;
}

export function disposeSprite(s: THREE.Sprite): void {
  s.material.map?.dispose();
  s.material.dispose();
}
