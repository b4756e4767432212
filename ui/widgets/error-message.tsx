export function ErrorMessage({ message }: { message: string }) {
  return (
    <div class="error" data-testid="error" role="alert">
      {message}
    </div>
  );
}
