//! The system information the customer client reports when a technician asks for it.
use sysinfo::{Disks, Networks, System};
use tandem_core::protocol::{DiskInfo, InterfaceInfo, SystemInfo};

const MIB: u64 = 1024 * 1024;

/// Collect what the technician sees: OS, host, CPU, memory, disks, interfaces, user.
#[must_use]
pub fn collect() -> SystemInfo {
    let mut system = System::new();
    system.refresh_memory();
    system.refresh_cpu_all();
    let disks = Disks::new_with_refreshed_list();
    let networks = Networks::new_with_refreshed_list();
    let mut interfaces: Vec<InterfaceInfo> = networks
        .iter()
        .map(|(name, data)| InterfaceInfo {
            name: name.clone(),
            addresses: data
                .ip_networks()
                .iter()
                .map(|n| format!("{}/{}", n.addr, n.prefix))
                .collect(),
        })
        .collect();
    interfaces.sort_by(|a, b| a.name.cmp(&b.name));
    let collected_at = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    SystemInfo {
        os: System::long_os_version()
            .or_else(System::name)
            .unwrap_or_else(|| std::env::consts::OS.into()),
        kernel: System::kernel_version().unwrap_or_default(),
        host: System::host_name().unwrap_or_default(),
        user: std::env::var("USER")
            .or_else(|_| std::env::var("USERNAME"))
            .unwrap_or_default(),
        cpu: system
            .cpus()
            .first()
            .map(|c| c.brand().trim().to_owned())
            .unwrap_or_default(),
        cpu_count: u32::try_from(system.cpus().len()).unwrap_or(u32::MAX),
        memory_total_mib: system.total_memory() / MIB,
        memory_used_mib: system.used_memory() / MIB,
        disks: disks
            .iter()
            .map(|d| DiskInfo {
                mount: d.mount_point().display().to_string(),
                total_mib: d.total_space() / MIB,
                available_mib: d.available_space() / MIB,
            })
            .collect(),
        interfaces,
        collected_at,
    }
}
