// The room's password question: the pre-join screen again, with the name kept and the password
// field shown, focused and empty, saying why (required, wrong, too many tries).

const $ = (id) => document.getElementById(id);

/**
 * Shows the question on the pre-join screen. showPrejoin(): builds and shows it the first time;
 * code: password_required | password_wrong | rate_limited; message: the server's detail.
 */
export async function askPassword({ prejoin, showPrejoin, screens, toasts, name, code, message }) {
  toasts.dismiss('conn');
  if (!prejoin) {
    prejoin = await showPrejoin();
  } else {
    screens.show('prejoin');
    prejoin.root.hidden = false;
    prejoin.render();
  }
  prejoin.nameInput.value = name;
  prejoin.askPassword(code, message);
  if (code !== 'password_required') toasts.announce($('password-error').textContent);
}
