//! The customer's window (issue 27): who is helping, the chat, each request of the technician as
//! a dialog that says exactly what is asked, a mark that stays on top while the screen is seen
//! or controlled or a shell is open (each with its Stop button), and Leave. Closing the window
//! asks once, then leaves the session.
//!
//! The session itself runs as in the terminal (`crate::session`), on its own thread: what it
//! shows ([`Shown`]) comes here through a channel, and what the customer does goes back as the
//! lines the terminal would have read ("y", "n", "/stop-screen", "/quit", chat). iced draws on
//! the CPU (tiny-skia), so no GPU or OpenGL is needed.
use crate::session::Shown;
use iced::widget::{button, column, container, row, scrollable, text, text_input};
use iced::{Element, Font, Length, Task, window};
use tandem_core::domain::{PromptKind, ScreenState, Tool};
use tokio::sync::mpsc;

/// The window's colours: light, whatever the desktop's, so that its marks look the same
/// everywhere (the amber mark, the red Stop, the green Allow).
pub const THEME: iced::Theme = iced::Theme::Light;

/// What the window shows, and what it hears from the session.
#[derive(Debug, Clone)]
pub enum Update {
    /// Something the session shows.
    Shown(Shown),
    /// The session is over for this computer, with its last words.
    Ended,
}

/// What the window and the session share: the session's side of the channels.
#[derive(Debug)]
pub struct Channels {
    /// What the session shows, to the window.
    pub updates: mpsc::UnboundedSender<Update>,
    /// What the customer does, as lines, to the session.
    pub lines: mpsc::Receiver<String>,
}

#[derive(Debug, Clone)]
enum Message {
    From(Update),
    Typed(String),
    Send,
    Answer(bool),
    StopScreen,
    StopShell,
    Leave,
    ConfirmLeave(bool),
    CloseRequested,
    Close,
}

/// The window's state.
#[derive(Debug)]
struct Window {
    lines: Vec<String>,
    helper: Option<String>,
    screen: ScreenState,
    shell: bool,
    asked: Option<(PromptKind, &'static str)>,
    password_for: Option<String>,
    typing: String,
    confirming_leave: bool,
    leaving: bool,
    ended: bool,
    to_session: mpsc::Sender<String>,
}

/// The window's title, which also says what is open (seen in the task bar).
fn title(w: &Window) -> String {
    match (w.screen, w.shell) {
        (ScreenState::Control, _) => "Tandem support: your screen is being controlled".into(),
        (ScreenState::View, _) => "Tandem support: your screen is being viewed".into(),
        (ScreenState::Off, true) => "Tandem support: a command shell is open".into(),
        (ScreenState::Off, false) => "Tandem support".into(),
    }
}

/// The dialog's words for a request (E1, E3, G3): what exactly is asked.
fn dialog(prompt: PromptKind) -> (&'static str, &'static str) {
    match prompt {
        PromptKind::Allow(Tool::ViewScreen) => (
            "See your screen?",
            "Your technician asks to see your screen. They will see everything on it until you press Stop, but cannot click or type.",
        ),
        PromptKind::Allow(Tool::ControlScreen) => (
            "Control your screen?",
            "Your technician asks to use your mouse and keyboard. You can take them back at any moment with Stop.",
        ),
        PromptKind::Allow(Tool::Shell) => (
            "Open a command shell?",
            "Your technician asks to run commands on this computer, with your user's rights. You can close it at any moment with Stop.",
        ),
        PromptKind::Elevation(_) => (
            "Administrative rights?",
            "Your technician asks to run the support client with administrative rights, to change settings only an administrator may. You will be asked for your password.",
        ),
        PromptKind::UpgradeToFullClient => (
            "Switch to the full support client?",
            "Your technician asks to use the full support client.",
        ),
    }
}

impl Window {
    fn send(&self, line: &str) {
        // The session reads lines while it runs; once it ended nobody does, which is fine.
        let _ = self.to_session.try_send(line.to_owned());
    }

    fn update(&mut self, message: Message) -> Task<Message> {
        match message {
            Message::From(Update::Shown(shown)) => self.shown(shown),
            Message::From(Update::Ended) => {
                self.ended = true;
                self.asked = None;
                self.password_for = None;
                self.screen = ScreenState::Off;
                self.shell = false;
                if self.leaving {
                    return iced::exit();
                }
            }
            Message::Typed(typed) => self.typing = typed,
            Message::Send => {
                let typed = std::mem::take(&mut self.typing);
                if self.password_for.take().is_some() {
                    self.send(&typed);
                } else if !typed.trim().is_empty() && !typed.trim_start().starts_with('/') {
                    self.lines.push(format!("You: {typed}"));
                    self.send(&typed);
                }
            }
            Message::Answer(yes) => {
                if self.asked.take().is_some() {
                    self.send(if yes { "y" } else { "n" });
                }
            }
            Message::StopScreen => self.send("/stop-screen"),
            Message::StopShell => self.send("/stop-shell"),
            Message::Leave => self.confirming_leave = true,
            Message::ConfirmLeave(false) => self.confirming_leave = false,
            Message::ConfirmLeave(true) => {
                self.confirming_leave = false;
                self.leaving = true;
                if self.ended {
                    return iced::exit();
                }
                self.send("/quit");
            }
            // Closing the window is leaving: asked once, unless there is nothing left to leave.
            Message::CloseRequested if self.ended => return iced::exit(),
            Message::CloseRequested => self.confirming_leave = true,
            Message::Close => return iced::exit(),
        }
        Task::none()
    }

    fn shown(&mut self, shown: Shown) {
        match shown {
            Shown::Line(line) | Shown::Failed(line) => {
                self.lines.push(crate::text::printable(&line));
                // A long session keeps the last lines only: bounded memory.
                if self.lines.len() > 500 {
                    self.lines.drain(..100);
                }
            }
            Shown::Helper(name) => {
                self.lines
                    .push(format!("{} is helping you.", crate::text::printable(&name)));
                self.helper = Some(crate::text::printable(&name));
            }
            Shown::Asked { prompt, question } => self.asked = Some((prompt, question)),
            Shown::Password { user } => {
                self.typing.clear();
                self.password_for = Some(user);
            }
            Shown::Tools { screen, shell } => (self.screen, self.shell) = (screen, shell),
        }
    }

    fn view(&self) -> Element<'_, Message> {
        let mut page = column![].spacing(12).padding(16);
        let who = match &self.helper {
            Some(name) => format!("{name} is helping you"),
            None => "Waiting for your technician…".into(),
        };
        page = page.push(text(who).size(20));
        // The marks: on top, in colour, each with its Stop.
        if self.screen != ScreenState::Off {
            let what = if self.screen == ScreenState::Control {
                "• Your technician controls your mouse and keyboard"
            } else {
                "• Your technician can see your screen"
            };
            page = page.push(mark(what, Message::StopScreen));
        }
        if self.shell {
            page = page.push(mark(
                "• A command shell is open on this computer",
                Message::StopShell,
            ));
        }
        if let Some((prompt, _)) = self.asked {
            let (heading, detail) = dialog(prompt);
            page = page.push(
                container(
                    column![
                        text(heading).size(18),
                        text(detail),
                        row![
                            button(text("Allow"))
                                .on_press(Message::Answer(true))
                                .style(button::success),
                            button(text("Deny"))
                                .on_press(Message::Answer(false))
                                .style(button::secondary),
                        ]
                        .spacing(12),
                    ]
                    .spacing(8),
                )
                .padding(12)
                .width(Length::Fill)
                .style(container::bordered_box),
            );
        }
        if self.confirming_leave {
            page = page.push(
                container(
                    column![
                        text("Leave the session?").size(18),
                        text("Your technician will no longer see or reach this computer, and the support client removes itself."),
                        row![
                            button(text("Leave"))
                                .on_press(Message::ConfirmLeave(true))
                                .style(button::danger),
                            button(text("Stay"))
                                .on_press(Message::ConfirmLeave(false))
                                .style(button::secondary),
                        ]
                        .spacing(12),
                    ]
                    .spacing(8),
                )
                .padding(12)
                .width(Length::Fill)
                .style(container::bordered_box),
            );
        }
        let chat = column(self.lines.iter().map(|l| text(l.as_str()).into())).spacing(4);
        page = page.push(
            scrollable(chat)
                .anchor_bottom()
                .height(Length::Fill)
                .width(Length::Fill),
        );
        if self.ended {
            page = page.push(button(text("Close")).on_press(Message::Close));
        } else {
            let placeholder = match &self.password_for {
                Some(user) => format!("The password of {user} (for this computer only)"),
                None => "Type a message".into(),
            };
            let input = text_input(&placeholder, &self.typing)
                .on_input(Message::Typed)
                .on_submit(Message::Send)
                .secure(self.password_for.is_some())
                .padding(8);
            page = page.push(
                row![
                    input,
                    button(text("Send")).on_press(Message::Send),
                    button(text("Leave"))
                        .on_press(Message::Leave)
                        .style(button::secondary),
                ]
                .spacing(8),
            );
        }
        page.into()
    }
}

fn mark<'a>(what: &'a str, stop: Message) -> Element<'a, Message> {
    container(
        row![
            text(what).width(Length::Fill),
            button(text("Stop")).on_press(stop).style(button::danger),
        ]
        .spacing(12)
        .align_y(iced::Alignment::Center),
    )
    .padding(10)
    .width(Length::Fill)
    .style(container::warning)
    .into()
}

/// Whether this computer can show a window: a desktop session (X11 or Wayland) on Linux, always
/// on Windows and macOS.
#[must_use]
pub fn available() -> bool {
    if cfg!(any(windows, target_os = "macos")) {
        return true;
    }
    ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|x| !x.is_empty()))
}

/// Show the window until the customer closes it; `session` runs the session with the channels'
/// other ends, on a thread of its own, and says when it is over.
///
/// # Errors
/// When the window cannot be opened (no display after all).
pub fn run(session: impl FnOnce(Channels) + Send + 'static) -> iced::Result {
    let (updates, from_session) = mpsc::unbounded_channel();
    let (to_session, lines) = mpsc::channel(64);
    let ended = updates.clone();
    std::thread::spawn(move || {
        session(Channels { updates, lines });
        let _ = ended.send(Update::Ended);
    });
    let start = std::sync::Mutex::new(Some((from_session, to_session)));
    iced::application(
        move || {
            let Some((mut from_session, to_session)) = start.lock().ok().and_then(|mut s| s.take())
            else {
                unreachable_boot()
            };
            let heard = iced::futures::stream::poll_fn(move |cx| from_session.poll_recv(cx));
            let window = Window {
                lines: Vec::new(),
                helper: None,
                screen: ScreenState::Off,
                shell: false,
                asked: None,
                password_for: None,
                typing: String::new(),
                confirming_leave: false,
                leaving: false,
                ended: false,
                to_session,
            };
            (window, Task::run(heard, Message::From))
        },
        Window::update,
        Window::view,
    )
    .title(title)
    .theme(|_: &Window| THEME)
    .subscription(|_| window::close_requests().map(|_| Message::CloseRequested))
    .exit_on_close_request(false)
    .window_size((480.0, 560.0))
    .default_font(Font::with_name("Fira Sans"))
    .run()
}

/// iced boots an application once; a second boot has nothing to run.
fn unreachable_boot() -> ! {
    tracing::error!("the window was started twice");
    std::process::exit(1)
}
