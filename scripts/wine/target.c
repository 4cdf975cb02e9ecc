/* A Windows program for the Windows client's test under Wine (customer/tests/wine.rs): a red
 * window without a frame at (40, 40), 100 x 80 pixels, that turns green when clicked and
 * prints each click and each character it receives (UTF-8, one line each), so the test sees
 * the technician's input arrive in a Windows program. Built by scripts/wine/prefix with
 * mingw-w64 (a Rust example would drag the tests' dependencies into the Windows build). */
#include <windows.h>
#include <stdio.h>

static BOOL clicked = FALSE;

static void say(const char *line)
{
    fputs(line, stdout);
    fputc('\n', stdout);
    fflush(stdout);
}

static LRESULT CALLBACK window(HWND hwnd, UINT msg, WPARAM wparam, LPARAM lparam)
{
    char line[64];
    switch (msg) {
    case WM_PAINT: {
        PAINTSTRUCT paint;
        RECT rect;
        HDC dc = BeginPaint(hwnd, &paint);
        HBRUSH brush = CreateSolidBrush(clicked ? RGB(0, 255, 0) : RGB(255, 0, 0));
        GetClientRect(hwnd, &rect);
        FillRect(dc, &rect, brush);
        DeleteObject(brush);
        EndPaint(hwnd, &paint);
        return 0;
    }
    case WM_LBUTTONDOWN:
        snprintf(line, sizeof line, "click %d %d", (int)(short)LOWORD(lparam), (int)(short)HIWORD(lparam));
        say(line);
        clicked = TRUE;
        InvalidateRect(hwnd, NULL, TRUE);
        return 0;
    case WM_CHAR: {
        WCHAR c = (WCHAR)wparam;
        char utf8[8] = {0};
        WideCharToMultiByte(CP_UTF8, 0, &c, 1, utf8, sizeof utf8 - 1, NULL, NULL);
        snprintf(line, sizeof line, "char %s", utf8);
        say(line);
        return 0;
    }
    case WM_DESTROY:
        PostQuitMessage(0);
        return 0;
    }
    return DefWindowProcW(hwnd, msg, wparam, lparam);
}

int main(void)
{
    WNDCLASSW wc = {0};
    MSG msg;
    HWND hwnd;
    wc.lpfnWndProc = window;
    wc.lpszClassName = L"TandemWineTarget";
    RegisterClassW(&wc);
    hwnd = CreateWindowExW(WS_EX_TOPMOST, wc.lpszClassName, wc.lpszClassName, WS_POPUP | WS_VISIBLE,
                           40, 40, 100, 80, NULL, NULL, NULL, NULL);
    if (!hwnd) {
        say("no window");
        return 1;
    }
    SetForegroundWindow(hwnd);
    say("ready");
    while (GetMessageW(&msg, NULL, 0, 0) > 0) {
        TranslateMessage(&msg);
        DispatchMessageW(&msg);
    }
    return 0;
}
