import { useEffect, useRef, useState } from 'react';
import type * as Three from 'three';
import type { OrbitControls as OrbitControlsType } from 'three/examples/jsm/controls/OrbitControls.js';

/**
 * An interactive view of a binary glTF (.glb): drag to turn, wheel or pinch to zoom, and buttons for
 * the keyboard. three.js is loaded here, by dynamic import, so that it is fetched only by the pages
 * that show a model (this module itself is loaded with React.lazy). Without WebGL it says so instead.
 */
export default function GlbViewer({ url, name }: { url: string; name: string }) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<{ turn(angle: number): void; zoom(factor: number): void; reset(): void } | null>(null);
  const [state, setState] = useState<'loading' | 'ready' | 'no-webgl' | 'error'>('loading');
  const [description, setDescription] = useState('');
  const [problem, setProblem] = useState('');

  useEffect(() => {
    const element = host.current;
    if (!element) return;
    if (!hasWebGl()) {
      setState('no-webgl');
      return;
    }
    let disposed = false;
    const cleanups: (() => void)[] = [];
    const abort = new AbortController();
    void (async () => {
      try {
        const [THREE, { GLTFLoader }, { OrbitControls }, bytes] = await Promise.all([
          import('three'),
          import('three/examples/jsm/loaders/GLTFLoader.js'),
          import('three/examples/jsm/controls/OrbitControls.js'),
          fetch(url, { credentials: 'same-origin', signal: abort.signal }).then((r) => {
            if (!r.ok) throw new Error(`The model could not be fetched (HTTP ${r.status}).`);
            return r.arrayBuffer();
          }),
        ]);
        if (disposed) return;
        const gltf = await new GLTFLoader().parseAsync(bytes, '');
        if (disposed) return;

        let renderer: Three.WebGLRenderer;
        try {
          renderer = new THREE.WebGLRenderer({ antialias: true, preserveDrawingBuffer: true });
        } catch {
          setState('no-webgl');
          return;
        }
        cleanups.push(() => renderer.dispose());
        renderer.setPixelRatio(Math.min(window.devicePixelRatio, 2));
        const canvas = renderer.domElement;
        canvas.setAttribute('aria-hidden', 'true');
        canvas.className = 'glb-canvas';
        element.appendChild(canvas);
        cleanups.push(() => canvas.remove());

        const scene = new THREE.Scene();
        scene.background = new THREE.Color('#eef1f6');
        scene.add(new THREE.HemisphereLight(0xffffff, 0x8a90a0, 2.2));
        const sun = new THREE.DirectionalLight(0xffffff, 2.2);
        sun.position.set(3, 5, 4);
        scene.add(sun);
        const fill = new THREE.DirectionalLight(0xffffff, 0.8);
        fill.position.set(-4, 2, -3);
        scene.add(fill);
        const model = gltf.scene;
        scene.add(model);

        // Frame the model: centre it in view, far enough away to see all of it.
        const box = new THREE.Box3().setFromObject(model);
        const size = box.getSize(new THREE.Vector3());
        const centre = box.getCenter(new THREE.Vector3());
        const radius = Math.max(size.length() / 2, 0.01);
        const camera = new THREE.PerspectiveCamera(40, 1, radius / 100, radius * 100);
        // The bounding sphere just fits at radius / sin(fov / 2) (vertically; a view wider than tall
        // has room to spare), with a margin so that nothing touches the edges.
        const distance = (1.1 * radius) / Math.sin(THREE.MathUtils.degToRad(camera.fov / 2));
        const home = centre
          .clone()
          .add(new THREE.Vector3(0.45, 0.25, 1).normalize().multiplyScalar(distance));
        camera.position.copy(home);

        const controls: OrbitControlsType = new OrbitControls(camera, canvas);
        controls.target.copy(centre);
        controls.minDistance = radius * 0.3;
        controls.maxDistance = radius * 10;
        controls.update();
        cleanups.push(() => controls.dispose());

        const render = () => renderer.render(scene, camera);
        controls.addEventListener('change', render);
        const resize = () => {
          const width = Math.max(element.clientWidth, 1);
          const height = Math.round(Math.min(Math.max(width * 0.75, 220), 440));
          renderer.setSize(width, height);
          camera.aspect = width / height;
          camera.updateProjectionMatrix();
          render();
        };
        const observer = new ResizeObserver(resize);
        observer.observe(element);
        cleanups.push(() => observer.disconnect());
        resize();

        view.current = {
          turn(angle) {
            const offset = camera.position.clone().sub(controls.target);
            offset.applyAxisAngle(new THREE.Vector3(0, 1, 0), angle);
            camera.position.copy(controls.target).add(offset);
            controls.update();
          },
          zoom(factor) {
            const offset = camera.position.clone().sub(controls.target).multiplyScalar(factor);
            const length = THREE.MathUtils.clamp(offset.length(), controls.minDistance, controls.maxDistance);
            camera.position.copy(controls.target).add(offset.setLength(length));
            controls.update();
          },
          reset() {
            camera.position.copy(home);
            controls.target.copy(centre);
            controls.update();
          },
        };
        setDescription(describe(THREE, model, size, name));
        setState('ready');
      } catch (error) {
        if (disposed) return;
        setProblem(error instanceof Error ? error.message : String(error));
        setState('error');
      }
    })();
    return () => {
      disposed = true;
      abort.abort();
      view.current = null;
      for (const cleanup of cleanups.reverse()) cleanup();
    };
  }, [url, name]);

  if (state === 'no-webgl') {
    return (
      <p className="notice">
        This browser cannot show 3D models (WebGL is not available). Download the file to open it in a 3D
        viewer.
      </p>
    );
  }
  return (
    <figure className="glb-viewer" data-state={state} aria-busy={state === 'loading'}>
      <div ref={host} className="glb-stage" role="img" aria-label={description || `3D model ${name}`} />
      {state === 'loading' ? <p className="muted">Loading the 3D model…</p> : null}
      {state === 'error' ? (
        <p className="notice notice-error" role="alert">
          The model could not be shown: {problem}
        </p>
      ) : null}
      {state === 'ready' ? (
        <>
          <fieldset className="row glb-controls">
            <legend className="sr-only">View of {name}</legend>
            <button
              type="button"
              className="secondary button-small"
              onClick={() => view.current?.turn(-Math.PI / 8)}
            >
              Turn left
            </button>
            <button
              type="button"
              className="secondary button-small"
              onClick={() => view.current?.turn(Math.PI / 8)}
            >
              Turn right
            </button>
            <button type="button" className="secondary button-small" onClick={() => view.current?.zoom(0.8)}>
              Zoom in
            </button>
            <button type="button" className="secondary button-small" onClick={() => view.current?.zoom(1.25)}>
              Zoom out
            </button>
            <button type="button" className="secondary button-small" onClick={() => view.current?.reset()}>
              Reset view
            </button>
          </fieldset>
          <figcaption className="muted">{description} Drag to turn it, scroll or pinch to zoom.</figcaption>
        </>
      ) : null}
    </figure>
  );
}

function hasWebGl(): boolean {
  try {
    const canvas = document.createElement('canvas');
    return Boolean(canvas.getContext('webgl2') ?? canvas.getContext('webgl'));
  } catch {
    return false;
  }
}

/** A text alternative: what the model is made of and how big it is. */
function describe(THREE: typeof Three, model: Three.Object3D, size: Three.Vector3, name: string): string {
  let meshes = 0;
  let triangles = 0;
  const parts: string[] = [];
  model.traverse((o) => {
    if (o instanceof THREE.Mesh) {
      meshes++;
      const g = o.geometry as Three.BufferGeometry;
      triangles += (g.index ? g.index.count : (g.attributes.position?.count ?? 0)) / 3;
    }
    if (o !== model && o.name && !parts.includes(o.name) && parts.length < 12) parts.push(o.name);
  });
  const metres = (n: number) => `${n.toFixed(2)} m`;
  const named = parts.length > 0 ? ` Parts: ${parts.join(', ')}.` : '';
  return `3D model ${name}: ${meshes} ${meshes === 1 ? 'mesh' : 'meshes'}, ${Math.round(triangles).toLocaleString('en-US')} triangles, ${metres(size.x)} wide, ${metres(size.y)} tall and ${metres(size.z)} deep.${named}`;
}
