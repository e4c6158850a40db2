//! Mounts the playground in the page. Built for the browser by Trunk (`make run`).

/// Talc instead of the standard library's dlmalloc: a tenth of a rewind's replay was spent in
/// dlmalloc's malloc and free.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

fn main() {
    #[cfg(target_arch = "wasm32")]
    {
        yew::Renderer::<replica_playground::ui::App>::new().render();
        replica_playground::ui::browser::remove_loading_message();
    }
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!(
        "replica-playground runs in the browser: `make run`, then open http://127.0.0.1:8080"
    );
}
