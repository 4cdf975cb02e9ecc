/* Debian 12's Wine 8.0 lacks bcryptprimitives.dll, whose ProcessPrng every Rust 1.78+ program
 * for Windows calls for randomness at start. This stand-in exports it on top of
 * BCryptGenRandom with the system's preferred generator, which Wine has. Test machines only:
 * Windows itself ships the real DLL. Built by scripts/wine/prefix with mingw-w64. */
#include <windows.h>
#include <bcrypt.h>

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (BCryptGenRandom(NULL, data, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0)
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
